//! The only module with `unsafe`: system calls the reference makes itself.

use std::ffi::CStr;

/// The host's page size (`sysconf(_SC_PAGESIZE)`).
pub fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions and only reads a constant.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(n).unwrap_or(4096)
}

/// The C library's text for `errno`, as CPython's `PyErr_SetFromErrno` uses it.
pub fn strerror(errno: i32) -> String {
    let mut buf = [0u8; 256];
    // SAFETY: buf is a valid writable buffer of the given length; the XSI
    // strerror_r that the libc crate binds writes a NUL-terminated string into it.
    let rc = unsafe { libc::strerror_r(errno, buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return format!("Unknown error {errno}");
    }
    CStr::from_bytes_until_nul(&buf)
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|_| format!("Unknown error {errno}"))
}
