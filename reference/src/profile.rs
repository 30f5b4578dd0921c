//! The profile: which Python version and platform the reference imitates.

use std::fmt;
use std::str::FromStr;

/// A Python language version, `major.minor`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PyVersion {
    /// `sys.version_info.major`
    pub major: u8,
    /// `sys.version_info.minor`
    pub minor: u8,
}

impl PyVersion {
    /// `PyVersion::new(3, 11)` is Python 3.11.
    pub const fn new(major: u8, minor: u8) -> Self {
        Self { major, minor }
    }

    /// True when this version is `major.minor` or newer.
    pub fn at_least(self, major: u8, minor: u8) -> bool {
        self >= Self::new(major, minor)
    }
}

impl fmt::Display for PyVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl FromStr for PyVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || format!("expected a Python version such as 3.11, found {s:?}");
        let (major, minor) = s.split_once('.').ok_or_else(err)?;
        Ok(Self::new(
            major.parse().map_err(|_| err())?,
            minor.parse().map_err(|_| err())?,
        ))
    }
}

/// An operating system family whose `mmap` code path CPython selects at build time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Platform {
    /// Linux (`sys.platform == "linux"`): has `mremap`.
    Linux,
    /// macOS (`sys.platform == "darwin"`): Unix without `mremap`.
    MacOs,
    /// Windows (`sys.platform == "win32"`).
    Windows,
}

impl Platform {
    /// Every platform, in a stable order.
    pub const ALL: [Platform; 3] = [Platform::Linux, Platform::MacOs, Platform::Windows];

    /// The name used in specs and reports: `linux`, `macos`, `windows`.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Linux => "linux",
            Platform::MacOs => "macos",
            Platform::Windows => "windows",
        }
    }

    /// True for the platforms that take CPython's `#ifdef UNIX` path.
    pub fn is_unix(self) -> bool {
        !matches!(self, Platform::Windows)
    }

    /// The platform of the machine this code runs on.
    pub fn host() -> Platform {
        if cfg!(windows) {
            Platform::Windows
        } else if cfg!(target_os = "macos") {
            Platform::MacOs
        } else {
            Platform::Linux
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Platform {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Platform::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| format!("expected one of linux, macos, windows, found {s:?}"))
    }
}

/// The behaviour to imitate: a Python version on a platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Profile {
    /// The Python version.
    pub python: PyVersion,
    /// The platform.
    pub platform: Platform,
}

impl Profile {
    /// A profile for `python` on `platform`.
    pub const fn new(python: PyVersion, platform: Platform) -> Self {
        Self { python, platform }
    }

    /// `mmap.PAGESIZE` on this profile's platform, as the reference sees it here.
    ///
    /// The host's page size is used for the host platform; otherwise the usual
    /// value of that platform: 16384 for macOS, whose Apple silicon machines
    /// (the CI's runners among them) have 16 KiB pages, 4096 for the others.
    pub fn pagesize(self) -> usize {
        if self.platform == Platform::host() {
            crate::sys::page_size()
        } else if self.platform == Platform::MacOs {
            16384
        } else {
            4096
        }
    }

    /// `mmap.ALLOCATIONGRANULARITY`: the page size on Unix, 64 KiB on Windows.
    pub fn allocation_granularity(self) -> usize {
        match self.platform {
            Platform::Windows => 65536,
            _ => self.pagesize(),
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "python {} on {}", self.python, self.platform)
    }
}
