import Foundation
@testable import Scan

/// Files made by their exact name bytes (FileManager goes through `String`, which cannot
/// hold a name that is not UTF-8), and special files for discovery tests.
enum RawNames {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static func temporaryDirectory(_ label: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func save(_ contents: [UInt8], to path: [UInt8]) throws {
        let fd = PathText.withCPath(bytes: path) { open($0, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        guard fd >= 0 else { throw Failure(description: "cannot create: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard contents.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == contents.count else {
            throw Failure(description: "short write")
        }
    }

    static func save(_ text: String, to path: [UInt8]) throws { try save(Array(text.utf8), to: path) }

    /// Gives a file a chosen modification time, so two files can share size and mtime.
    static func setModificationTime(_ path: [UInt8], seconds: Int) throws {
        let time = timespec(tv_sec: seconds, tv_nsec: 0)
        let result = PathText.withCPath(bytes: path) { utimensat(AT_FDCWD, $0, [time, time], 0) }
        guard result == 0 else { throw Failure(description: "utimensat: \(String(cString: strerror(errno)))") }
    }

    /// A listening Unix socket bound at `path`; close the returned descriptor when done.
    static func bindSocket(at path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let name = Array(path.utf8)
        guard name.count < MemoryLayout.size(ofValue: address.sun_path) else { throw Failure(description: "path too long") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: name)
            raw[name.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else {
            close(fd)
            throw Failure(description: "bind: \(String(cString: strerror(errno)))")
        }
        return fd
    }
}
