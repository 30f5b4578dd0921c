//! The implementations a run judges, each behind an adapter process: the
//! reference and the embedded CPython (hosted by `mmapconf serve`), and any
//! external adapter, such as the Python driver under another interpreter.

use std::fmt;
use std::path::Path;

use mmap_reference::{Platform, Profile, PyVersion};

use crate::protocol::client::Launch;
use crate::protocol::wire::Hello;
use crate::scenario::Api;

/// Who an implementation is, as its handshake says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Implementation {
    /// The short name reports, test names and `--impl` use: `reference`,
    /// `cpython` (the embedded one), `cpython-3.8`, `pypy-3.9`.
    pub id: String,
    /// The implementation's name: `reference`, `cpython`, `pypy`.
    pub name: String,
    /// Its own version text (`3.11.7`).
    pub version: String,
    /// The Python version and platform whose behaviour it claims.
    pub profile: Profile,
    /// The APIs it drives.
    pub api: Vec<Api>,
}

impl fmt::Display for Implementation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({} {}, {})",
            self.id, self.name, self.version, self.profile
        )
    }
}

impl Implementation {
    /// The implementation a handshake describes, under the id `id`.
    pub fn from_hello(id: String, hello: &Hello) -> Self {
        let imp = &hello.implementation;
        // The client checked both fields when it read the handshake.
        let python = imp.python.parse().unwrap_or(PyVersion::new(3, 11));
        let platform = imp.platform.parse().unwrap_or_else(|_| Platform::host());
        Self {
            id,
            name: imp.name.clone(),
            version: imp.version.clone(),
            profile: Profile::new(python, platform),
            api: imp.api.clone(),
        }
    }

    /// The id an external adapter gets: `{name}-{python}`.
    pub fn external_id(hello: &Hello) -> String {
        format!(
            "{}-{}",
            hello.implementation.name, hello.implementation.python
        )
    }
}

/// An implementation and how to start its adapter.
#[derive(Clone, Debug)]
pub struct Target {
    /// Who it is.
    pub implementation: Implementation,
    /// How to start an instance of its adapter.
    pub launch: Launch,
}

/// True where the reference can run: it maps memory with Unix system calls.
/// Elsewhere (Windows) implementations are judged against the spec alone.
pub const REFERENCE_RUNS_HERE: bool = cfg!(unix);

impl Target {
    /// The reference imitating `profile`, hosted by `worker serve reference`.
    pub fn reference(worker: &Path, profile: Profile) -> Self {
        let hello = crate::backend::reference::hello(profile);
        Self {
            implementation: Implementation::from_hello("reference".into(), &hello),
            launch: Launch {
                program: worker.to_path_buf(),
                args: vec![
                    "serve".into(),
                    "reference".into(),
                    "--python".into(),
                    profile.python.to_string().into(),
                    "--platform".into(),
                    profile.platform.name().into(),
                ],
            },
        }
    }

    /// How to start the embedded CPython, hosted by `worker serve cpython`.
    pub fn embedded_cpython(worker: &Path) -> Launch {
        Launch {
            program: worker.to_path_buf(),
            args: vec!["serve".into(), "cpython".into()],
        }
    }

    /// How to start the Python driver under `interpreter`.
    pub fn python_driver(interpreter: &Path, driver: &Path) -> Launch {
        Launch {
            program: interpreter.to_path_buf(),
            args: vec![driver.as_os_str().to_owned()],
        }
    }
}

/// The repository's Python driver, `drivers/python/mmapconf_driver.py`.
pub fn python_driver_path() -> std::path::PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .unwrap_or(manifest)
        .join("drivers")
        .join("python")
        .join("mmapconf_driver.py")
}
