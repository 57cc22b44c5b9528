import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process run under coreutils `timeout -s KILL`, reaped with wait4 so that its peak
/// resident memory is known (Foundation's Process reports neither signals cleanly nor rusage).
struct MeasuredChild {
    enum Ending: Equatable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)

        var description: String {
            switch self {
            case let .exited(code): return "exit \(code)"
            case let .signalled(signal): return "killed by signal \(signal) (\(String(cString: strsignal(signal))))"
            }
        }
    }

    var ending: Ending
    /// Peak resident set size of the child and the descendants it waited for, in KiB.
    var maxResidentKiB: Int
    var wallSeconds: Double
    var stderr: String

    /// The hard limit passed to `timeout`; a child still running then is killed (SIGKILL).
    var timedOut: Bool { ending == .exited(137) || ending == .signalled(SIGKILL) }

    /// Runs `executable arguments` with stdin from /dev/null, stdout discarded and stderr kept.
    static func run(_ executable: String, _ arguments: [String], limitSeconds: Int, scratch: URL) throws -> MeasuredChild {
        let stderrPath = scratch.appendingPathComponent("stderr-\(UUID().uuidString).txt").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

        // -s KILL: a hung scan may ignore SIGTERM while it waits for its current video.
        let argv = ["timeout", "-s", "KILL", String(limitSeconds), executable] + arguments
        var cArgs = argv.map { strdup($0) }
        cArgs.append(nil)
        defer { for pointer in cArgs { free(pointer) } }

        let start = Date()
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, "timeout", &actions, nil, cArgs, environ)
        guard spawned == 0 else {
            throw NSError(domain: "MeasuredChild", code: Int(spawned),
                          userInfo: [NSLocalizedDescriptionKey: "cannot start timeout: \(String(cString: strerror(spawned)))"])
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) == -1 && errno == EINTR {}
        let wall = Date().timeIntervalSince(start)

        // WIFEXITED / WTERMSIG are C macros; spelled out as glibc defines them.
        let signal = status & 0x7f
        let ending: Ending = signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
        let stderr = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        // Linux: ru_maxrss in KiB, the maximum over the child and its waited-for descendants.
        return MeasuredChild(ending: ending, maxResidentKiB: Int(usage.ru_maxrss), wallSeconds: wall, stderr: stderr)
    }
}
