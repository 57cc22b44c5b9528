import Crypto
import Foundation

/// SHA-256 of a file's bytes, hex: what a video is, whatever its name. A renamed or copied
/// video has the same hash, so its stored result is taken over instead of analysed again.
public enum ContentHash {
    /// nil when the file cannot be read to the end (it is then analysed, and fails there), or
    /// when the task is cancelled (a timeout or stop gave it up: it stops reading).
    public static func sha256(ofFileAt path: String) -> String? {
        let descriptor = PathText.withCPath(path) { open($0, O_RDONLY | O_CLOEXEC | O_NONBLOCK) }
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while !Task.isCancelled {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 {
                return hasher.finalize().map { String(format: "%02x", $0) }.joined()
            }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
        }
        return nil
    }
}
