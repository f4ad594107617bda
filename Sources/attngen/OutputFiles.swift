import AttentionGen
import Foundation

/// The files a command writes, checked before any work: two outputs never name one file, an
/// existing file is kept unless --force, and --force replaces regular files only.
func checkOutputs(_ outputs: [(option: String, path: String)], force: Bool) throws {
    var seen: [String: String] = [:]
    for (option, path) in outputs {
        let resolved = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        if let other = seen[resolved] { throw CLIError("\(option) \(path): names the same file as \(other); give each output its own file") }
        seen[resolved] = option
        var status = stat()
        guard lstat(path, &status) == 0 else { continue }
        guard force else { throw CLIError("\(path) already exists; pass --force to replace it") }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw CLIError("\(path) is not a regular file (a device, FIFO, folder or socket); --force replaces regular files only")
        }
    }
}

/// Writes `data` atomically (a temporary file in the same folder, renamed into place).
func writeOutput(_ data: Data, to path: String, force: Bool) throws {
    do {
        try AtomicFile.write(data, to: URL(fileURLWithPath: path), overwrite: force)
    } catch {
        throw CLIError(error.description)
    }
}

/// Creates `folder` (and its parents) with a one-line error instead of Foundation's raw text.
func makeFolder(_ folder: URL) throws {
    do {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    } catch {
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder)
        throw CLIError("\(folder.path): cannot create the folder (\(exists && !isFolder.boolValue ? "a file is in the way" : "permission or path problem"))")
    }
}
