//! The one error type: a Python exception, as CPython would raise it.

use std::fmt;

use crate::profile::Profile;

/// The Python exception class of an [`Error`].
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// `TypeError`
    TypeError,
    /// `ValueError`
    ValueError,
    /// `IndexError`
    IndexError,
    /// `OverflowError`
    OverflowError,
    /// `BufferError`
    BufferError,
    /// `SystemError`
    SystemError,
    /// `AttributeError`
    AttributeError,
    /// `NameError` (a spec names a constant the profile's module lacks)
    NameError,
    /// `UnicodeEncodeError`
    UnicodeEncodeError,
    /// pywin32's `pywintypes.error`, a plain `Exception` subclass.
    Pywintypes,
    /// `OSError` or the subclass CPython picks for `errno`; `mmap.error` on 2.7.
    OsError {
        /// The C `errno` value.
        errno: i32,
    },
}

/// A Python exception: its class and the text `str(exception)` gives.
///
/// `Display` prints the last line of a traceback, `ValueError: mmap closed or invalid`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// The exception class.
    pub kind: ErrorKind,
    /// The class name as `type(e).__name__` shows it, qualified with its module
    /// when that is not `builtins` (`mmap.error` on 2.7).
    pub type_name: &'static str,
    /// `str(exception)`, exactly.
    pub message: String,
}

impl Error {
    /// An exception of a non-OS kind with CPython's message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        let type_name = match kind {
            ErrorKind::TypeError => "TypeError",
            ErrorKind::ValueError => "ValueError",
            ErrorKind::IndexError => "IndexError",
            ErrorKind::OverflowError => "OverflowError",
            ErrorKind::BufferError => "BufferError",
            ErrorKind::SystemError => "SystemError",
            ErrorKind::AttributeError => "AttributeError",
            ErrorKind::NameError => "NameError",
            ErrorKind::UnicodeEncodeError => "UnicodeEncodeError",
            ErrorKind::Pywintypes => "pywintypes.error",
            ErrorKind::OsError { .. } => "OSError",
        };
        Self {
            kind,
            type_name,
            message: message.into(),
        }
    }

    /// `TypeError(message)`
    pub fn type_error(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::TypeError, message)
    }

    /// `ValueError(message)`
    pub fn value_error(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::ValueError, message)
    }

    /// `IndexError(message)`
    pub fn index_error(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::IndexError, message)
    }

    /// `OverflowError(message)`
    pub fn overflow_error(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::OverflowError, message)
    }

    /// `BufferError(message)`
    pub fn buffer_error(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BufferError, message)
    }

    /// The exception CPython raises for a failed system call with `errno`, as
    /// `PyErr_SetFromErrno` builds it: the `OSError` subclass chosen by errno
    /// (3.3+) or `mmap.error` (2.7), with the text `[Errno N] strerror`.
    pub fn from_errno(errno: i32, profile: Profile) -> Self {
        let type_name = if profile.python.major == 2 {
            "mmap.error"
        } else {
            os_error_subclass(errno)
        };
        Self {
            kind: ErrorKind::OsError { errno },
            type_name,
            message: format!("[Errno {errno}] {}", crate::sys::strerror(errno)),
        }
    }

    /// What CPython on Windows raises for a Win32 error
    /// (`PyErr_SetFromWindowsErr`): from 3.3 the `OSError` subclass of the
    /// errno it maps to, whose `str()` is `[WinError code] text`; on 2.7 a
    /// `WindowsError` whose `str()` is `[Error code] text`.
    pub fn from_winerror(e: WinError, profile: Profile) -> Self {
        let errno = e.errno();
        let (type_name, message) = if profile.python.major == 2 {
            ("WindowsError", format!("[Error {}] {}", e.code(), e.text()))
        } else {
            (
                os_error_subclass(errno),
                format!("[WinError {}] {}", e.code(), e.text()),
            )
        };
        Self {
            kind: ErrorKind::OsError { errno },
            type_name,
            message,
        }
    }

    /// The errno of an OS error, if this is one.
    pub fn errno(&self) -> Option<i32> {
        match self.kind {
            ErrorKind::OsError { errno } => Some(errno),
            _ => None,
        }
    }
}

/// A Win32 error that a Windows profile raises, with what CPython makes of
/// it: the errno `PC/errmap.h` maps it to, and the system's English text
/// without the trailing period CPython strips.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WinError {
    /// `ERROR_ACCESS_DENIED` (5)
    AccessDenied,
    /// `ERROR_INVALID_PARAMETER` (87)
    InvalidParameter,
    /// `ERROR_MAPPED_ALIGNMENT` (1132)
    MappedAlignment,
    /// `ERROR_USER_MAPPED_FILE` (1224)
    UserMappedFile,
}

impl WinError {
    /// The Win32 code.
    pub fn code(self) -> i32 {
        match self {
            WinError::AccessDenied => 5,
            WinError::InvalidParameter => 87,
            WinError::MappedAlignment => 1132,
            WinError::UserMappedFile => 1224,
        }
    }

    /// `winerror_to_errno`: EACCES for access denied, EINVAL (its default)
    /// for the others.
    fn errno(self) -> i32 {
        match self {
            WinError::AccessDenied => libc::EACCES,
            _ => libc::EINVAL,
        }
    }

    fn text(self) -> &'static str {
        match self {
            WinError::AccessDenied => "Access is denied",
            WinError::InvalidParameter => "The parameter is incorrect",
            WinError::MappedAlignment => {
                "The base address or the file offset specified does not have the proper alignment"
            }
            WinError::UserMappedFile => {
                "The requested operation cannot be performed on a file with a user-mapped section open"
            }
        }
    }
}

/// The `OSError` subclass Python 3.3+ raises for `errno` (PEP 3151).
fn os_error_subclass(errno: i32) -> &'static str {
    match errno {
        libc::EAGAIN | libc::EALREADY | libc::EINPROGRESS => "BlockingIOError",
        libc::ECHILD => "ChildProcessError",
        libc::EPIPE => "BrokenPipeError",
        e if Some(e) == crate::sys::ESHUTDOWN => "BrokenPipeError",
        libc::ECONNABORTED => "ConnectionAbortedError",
        libc::ECONNREFUSED => "ConnectionRefusedError",
        libc::ECONNRESET => "ConnectionResetError",
        libc::EEXIST => "FileExistsError",
        libc::ENOENT => "FileNotFoundError",
        libc::EISDIR => "IsADirectoryError",
        libc::ENOTDIR => "NotADirectoryError",
        libc::EINTR => "InterruptedError",
        libc::EACCES | libc::EPERM => "PermissionError",
        libc::ESRCH => "ProcessLookupError",
        libc::ETIMEDOUT => "TimeoutError",
        _ => "OSError",
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            f.write_str(self.type_name)
        } else {
            write!(f, "{}: {}", self.type_name, self.message)
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Platform, PyVersion};

    #[test]
    fn errno_picks_the_pep_3151_subclass_on_python_3() {
        let p3 = Profile::new(PyVersion::new(3, 11), Platform::Linux);
        let e = Error::from_errno(libc::EACCES, p3);
        assert_eq!(
            e.to_string(),
            "PermissionError: [Errno 13] Permission denied"
        );
        let e = Error::from_errno(libc::EINVAL, p3);
        assert_eq!(e.to_string(), "OSError: [Errno 22] Invalid argument");
    }

    #[test]
    fn errno_is_mmap_error_on_python_2() {
        let p2 = Profile::new(PyVersion::new(2, 7), Platform::Linux);
        let e = Error::from_errno(libc::EBADF, p2);
        assert_eq!(e.to_string(), "mmap.error: [Errno 9] Bad file descriptor");
    }
}
