//! Lets the embedded CPython's shared library be found at run time without
//! LD_LIBRARY_PATH: binaries and tests get an rpath to pyo3's libpython.

fn main() {
    #[cfg(feature = "cpython")]
    {
        let config = pyo3_build_config::get();
        if let Some(lib_dir) = config.lib_dir() {
            println!("cargo:rustc-link-arg=-Wl,-rpath,{lib_dir}");
        }
    }
}
