import Foundation
import NN

// libFuzzer target for the safetensors reader (`make fuzz`, docs/fuzzing.md): any bytes must
// either open as a file whose every tensor reads back, or throw; never trap or read outside.
// Built normally (without -DFUZZING) it is a replayer: `fuzz-safetensors FILE…` runs each file once.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    exerciseSafeTensors(UnsafeBufferPointer(start: data, count: size))
    return 0
}

func exerciseSafeTensors(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let file = try? SafeTensorsFile(bytes: bytes, name: "fuzz-input") else { return }
    var elements = 0
    for (key, entry) in file.entries {
        elements += entry.shape.reduce(1, *)  // what ModelCatalog counts; must not overflow
        switch entry.dtype {
        case "F32": precondition(try! file.floats(key).count == entry.shape.reduce(1, *))
        case "U8": precondition(try! file.bytes(key).count == entry.shape.reduce(1, *))
        default: precondition((try? file.floats(key)) == nil)
        }
    }
    precondition(elements >= 0)
    _ = try? ModelCard(metadata: file.metadata)
}

#if !FUZZING
@main
enum ReplaySafeTensors {
    static func main() throws {
        for path in CommandLine.arguments.dropFirst() {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            bytes.withUnsafeBufferPointer { exerciseSafeTensors($0) }
            print("ok \(path)")
        }
    }
}
#endif
