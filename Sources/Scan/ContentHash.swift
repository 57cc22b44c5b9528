import Crypto
import Foundation

/// SHA-256 of a file's bytes, hex: what a video is, whatever its name. A renamed or copied
/// video has the same hash, so its stored result is taken over instead of analysed again.
public enum ContentHash {
    /// nil when the file cannot be read to the end (it is then analysed, and fails there), or
    /// when `cancelled` is requested (a timeout or stop gave it up: it stops reading).
    public static func sha256(ofFileAt path: String, cancelled: StopSignal? = nil) -> String? {
        let descriptor = PathText.withCPath(path) { open($0, O_RDONLY | O_CLOEXEC | O_NONBLOCK) }
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while cancelled?.isRequested != true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { return hex(hasher.finalize()) }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
        }
        return nil
    }

    /// A digest as lower-case hex.
    static func hex(_ digest: SHA256.Digest) -> String { digest.map { String(format: "%02x", $0) }.joined() }

    /// The same on a thread of its own, given up (nil) when the task is cancelled. Reading
    /// gigabytes must not hold one of the few threads that Swift's tasks share: with every one
    /// of them reading, no timer could fire and no stop be acted on until a read ended.
    static func sha256OnOwnThread(ofFileAt path: String) async -> String? {
        let cancelled = StopSignal()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                Thread.detachNewThread { continuation.resume(returning: sha256(ofFileAt: path, cancelled: cancelled)) }
            }
        } onCancel: {
            cancelled.request("cancelled")
        }
    }
}
