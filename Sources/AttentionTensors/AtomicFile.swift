import Foundation

/// Writes that lose nothing: the bytes go to a temporary file in the destination's folder and
/// are renamed into place, so a reader (or a crash) sees the old file or the new one, never
/// half of one; only regular files are ever replaced (a device node or a FIFO stays as it is).
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL, overwrite: Bool) throws(TensorError) {
        let path = url.path
        var status = stat()
        if lstat(path, &status) == 0 {
            guard overwrite else { throw .fileExists(path: path) }
            guard status.st_mode & S_IFMT == S_IFREG else { throw .notRegularFile(path: path) }
        }
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try data.write(to: temporary, options: .withoutOverwriting)
        } catch {
            throw .writeFailed(path: path, reason: Npy.describe(error))
        }
        defer { unlink(temporary.path) }
        // rename replaces atomically; link refuses a file that appeared since the check above.
        if (overwrite ? rename(temporary.path, path) : link(temporary.path, path)) != 0 {
            let code = errno
            if code == EEXIST { throw .fileExists(path: path) }
            throw .writeFailed(path: path, reason: String(cString: strerror(code)))
        }
    }
}
