//! Process control on a Unix host: the harness's only `unsafe`.

use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, RawFd};
use std::os::unix::fs::{FileExt, PermissionsExt};
use std::os::unix::net::UnixStream;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::Command;

use super::ExitStatus;

/// The two ends of the channel a forked child reports its steps on.
pub type Channel = UnixStream;

/// A connected pair of [`Channel`] ends.
pub fn channel() -> io::Result<(Channel, Channel)> {
    UnixStream::pair()
}

/// `fork()`: the child's pid in the parent, 0 in the child.
pub fn fork() -> io::Result<u32> {
    // SAFETY: the child only runs the scenario's remaining steps (the
    // reference's own code, which takes no locks shared with other threads),
    // writes to a socket it owns and leaves through `exit_immediately`.
    let pid = unsafe { libc::fork() };
    u32::try_from(pid).map_err(|_| io::Error::last_os_error())
}

/// `_exit(0)`: ends a forked child without running exit handlers or
/// flushing buffers that belong to the parent.
pub fn exit_immediately() -> ! {
    // SAFETY: _exit never returns and has no preconditions.
    unsafe { libc::_exit(0) }
}

/// Limits the data segment (heap and private anonymous memory, which is
/// where an interpreter's objects live) of the process `cmd` starts to
/// `bytes`, so an implementation that allocates without bound gets a
/// `MemoryError` or dies, alone. File maps do not count, so scenarios may
/// map large sparse files.
pub fn limit_memory(cmd: &mut Command, bytes: u64) {
    let limit = libc::rlimit {
        rlim_cur: bytes as libc::rlim_t,
        rlim_max: bytes as libc::rlim_t,
    };
    // SAFETY: the closure runs in the child between fork and exec and only
    // calls setrlimit, which is async-signal-safe, on a value it owns.
    unsafe {
        cmd.pre_exec(move || {
            if libc::setrlimit(libc::RLIMIT_DATA, &limit) == 0 {
                Ok(())
            } else {
                Err(io::Error::last_os_error())
            }
        });
    }
}

/// True when a process with this id exists (it may belong to another user).
pub fn alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: kill with signal 0 only checks that the process exists.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Waits for `pid` to end.
pub fn wait(pid: u32) -> ExitStatus {
    let mut status = 0;
    let pid = pid as libc::pid_t;
    loop {
        // SAFETY: status is a valid out-pointer; pid is our own child.
        let rc = unsafe { libc::waitpid(pid, &mut status, 0) };
        if rc == pid {
            break;
        }
        if rc == -1 && io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            return ExitStatus {
                code: None,
                signal: None,
            };
        }
    }
    if libc::WIFSIGNALED(status) {
        ExitStatus {
            code: None,
            signal: Some(signal_name(libc::WTERMSIG(status))),
        }
    } else {
        ExitStatus {
            code: Some(libc::WEXITSTATUS(status)),
            signal: None,
        }
    }
}

/// The conventional name of a signal number (`SIGBUS`).
pub fn signal_name(sig: i32) -> String {
    let name = match sig {
        libc::SIGBUS => "SIGBUS",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGABRT => "SIGABRT",
        libc::SIGKILL => "SIGKILL",
        libc::SIGILL => "SIGILL",
        libc::SIGFPE => "SIGFPE",
        libc::SIGTERM => "SIGTERM",
        libc::SIGPIPE => "SIGPIPE",
        _ => return format!("signal {sig}"),
    };
    name.to_owned()
}

/// Takes standard output for the protocol: returns a new descriptor for what
/// was standard output and points descriptor 1 at standard error, so that
/// anything an implementation prints cannot corrupt the protocol.
pub fn take_stdout() -> io::Result<File> {
    // SAFETY: fcntl and dup2 on the process's own standard descriptors; the
    // new descriptor is owned by the returned File alone.
    unsafe {
        let fd: RawFd = libc::fcntl(1, libc::F_DUPFD_CLOEXEC, 3);
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        if libc::dup2(2, 1) < 0 {
            let e = io::Error::last_os_error();
            libc::close(fd);
            return Err(e);
        }
        Ok(File::from_raw_fd(fd))
    }
}

/// Kills a process group (an adapter and any child it forked).
pub fn kill_group(pgid: u32) {
    // SAFETY: kill has no memory preconditions; a stale group id fails with ESRCH.
    unsafe {
        libc::kill(-(pgid as libc::pid_t), libc::SIGKILL);
    }
}

/// Starts `cmd` in a process group of its own, which [`kill_group`] ends.
pub fn own_process_group(cmd: &mut Command) {
    cmd.process_group(0);
}

/// The signal that ended a process, if one did.
pub fn exit_signal(status: std::process::ExitStatus) -> Option<i32> {
    status.signal()
}

/// The descriptor number of an open file (`f.fileno()`).
pub fn fileno(file: &File) -> Option<i128> {
    Some(i128::from(file.as_raw_fd()))
}

/// `pwrite`: writes at `offset` without moving the file's position.
pub fn write_at(file: &File, data: &[u8], offset: u64) -> io::Result<usize> {
    file.write_at(data, offset)
}

/// True for a file someone may execute.
pub fn is_executable(p: &Path) -> bool {
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}
