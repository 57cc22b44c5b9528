import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Wall and CPU seconds of one finished child process.
struct ProcessCost {
    var wallSeconds: Double
    var cpuSeconds: Double
    var exitStatus: Int32
}

/// Runs a command with stdin/stdout/stderr on /dev/null and measures it with wait4's rusage,
/// so our sampler and the ffmpeg CLI are timed the same way: as whole processes.
func runMeasured(_ arguments: [String]) throws -> ProcessCost {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    for descriptor in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] {
        posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == STDIN_FILENO ? O_RDONLY : O_WRONLY, 0)
    }
    let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let start = DispatchTime.now().uptimeNanoseconds
    var pid: pid_t = 0
    let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ)
    guard spawned == 0 else { throw BenchError.cannotStart(arguments[0], String(cString: strerror(spawned))) }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    let exited = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return ProcessCost(wallSeconds: wall, cpuSeconds: seconds(usage.ru_utime) + seconds(usage.ru_stime), exitStatus: exited)
}

/// Runs ffmpeg quietly and fails loudly (for generating the clips).
func runFFmpeg(_ arguments: [String]) throws {
    let cost = try runMeasured(["ffmpeg", "-nostdin", "-y", "-loglevel", "error"] + arguments)
    guard cost.exitStatus == 0 else { throw BenchError.ffmpegFailed(arguments.joined(separator: " ")) }
}

enum BenchError: Error, CustomStringConvertible {
    case cannotStart(String, String)
    case ffmpegFailed(String)
    case commandFailed(String, Int32)
    case usage(String)

    var description: String {
        switch self {
        case let .cannotStart(command, reason): return "cannot start \(command): \(reason)"
        case let .ffmpegFailed(arguments): return "ffmpeg \(arguments) failed"
        case let .commandFailed(command, status): return "\(command) exited with \(status)"
        case let .usage(text): return text
        }
    }
}
