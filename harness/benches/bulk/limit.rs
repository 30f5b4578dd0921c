//! The limit: the same work done by the fastest plain code over a map of the
//! same file: memchr's searches and slice copies, nothing Python asks for.

use std::fs::File;
use std::hint::black_box;

use memmap2::MmapMut;

/// A shared, writable map of the haystack.
pub struct Map(MmapMut);

impl Map {
    pub fn new(file: &File) -> Map {
        // SAFETY: the file is this benchmark's own, in its temporary
        // directory; nothing truncates or resizes it while it is mapped, so
        // every page of the map stays backed.
        Map(unsafe { MmapMut::map_mut(file) }.expect("memmap2 maps the haystack"))
    }

    pub fn find(&self, needle: &[u8]) -> Option<usize> {
        memchr::memmem::find(&self.0, needle)
    }

    /// The last match, by a forward vectorised scan of every byte: the work
    /// of a reverse search that reaches the start, done as fast as memchr
    /// can (its reverse search is not vectorised, and slower).
    pub fn rfind(&self, needle: &[u8]) -> Option<usize> {
        memchr::memmem::find_iter(&self.0, needle).last()
    }

    /// The line ends, found without copying any line out.
    pub fn count_lines(&self) -> usize {
        memchr::memchr_iter(b'\n', &self.0).count()
    }

    /// The whole map copied out, one chunk at a time, into one buffer.
    pub fn read_chunks(&self, buf: &mut [u8]) {
        for chunk in self.0.chunks_exact(buf.len()) {
            buf.copy_from_slice(chunk);
            black_box(&buf);
        }
    }

    /// `data` copied over the whole map, one chunk at a time.
    pub fn write_chunks(&mut self, data: &[u8]) {
        for chunk in self.0.chunks_exact_mut(data.len()) {
            chunk.copy_from_slice(data);
        }
    }

    pub fn to_vec(&self) -> Vec<u8> {
        self.0.to_vec()
    }

    pub fn write_all(&mut self, data: &[u8]) {
        self.0.copy_from_slice(data);
    }

    /// Every byte but the last moved up by one (an overlapping memmove).
    pub fn shift_by_one(&mut self) {
        let n = self.0.len();
        self.0.copy_within(0..n - 1, 1);
    }
}
