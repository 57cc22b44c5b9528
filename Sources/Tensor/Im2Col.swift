/// Lays out the input patches of a range of output rows as the columns of a matrix
/// `[channels·kh·kw, rows·outWidth]`, zero where the window reaches into the padding.
struct Im2ColGeometry {
    let height: Int, width: Int, channels: Int
    let window: Window
    let padding: ResolvedPadding
    let outWidth: Int

    func fill(_ columns: UnsafeMutablePointer<Float>, from source: UnsafePointer<Float>, outRows: Range<Int>) {
        let tileColumns = outRows.count * outWidth
        let strideX = window.strideX
        var destination = columns
        for c in 0..<channels {
            let plane = source + c * height * width
            for ky in 0..<window.height {
                for kx in 0..<window.width {
                    let xOffset = kx * window.dilationX - padding.left
                    // Output columns whose input column lies inside the image.
                    let first = xOffset >= 0 ? 0 : min(outWidth, (-xOffset + strideX - 1) / strideX)
                    let last = width - 1 - xOffset < 0 ? 0 : min(outWidth, (width - 1 - xOffset) / strideX + 1)
                    var rowStart = destination
                    for oy in outRows {
                        let iy = oy * window.strideY - padding.top + ky * window.dilationY
                        if iy < 0 || iy >= height || first >= last {
                            rowStart.update(repeating: 0, count: outWidth)
                        } else {
                            let inputRow = plane + iy * width + xOffset
                            if first > 0 { rowStart.update(repeating: 0, count: first) }
                            if strideX == 1 {
                                (rowStart + first).update(from: inputRow + first, count: last - first)
                            } else if strideX == 2 {
                                Self.copyEvenElements(from: inputRow, into: rowStart, range: first..<last)
                            } else {
                                for ox in first..<last { rowStart[ox] = inputRow[ox * strideX] }
                            }
                            if last < outWidth { (rowStart + last).update(repeating: 0, count: outWidth - last) }
                        }
                        rowStart += outWidth
                    }
                    destination += tileColumns
                }
            }
        }
    }

    /// `target[i] = source[2·i]` over `range`, eight at a time: the scalar strided copy was most
    /// of a stride-2 convolution's time on few channels (ClassNSeg's encoder). Copies only.
    @inline(__always)
    static func copyEvenElements(from source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>,
                                 range: Range<Int>) {
        var i = range.lowerBound
        // The vector reads source[2i ..< 2i + 16], which must not pass source[2·(upper − 1)], the last
        // element the copy needs (what follows may lie outside the input): 2i + 15 < 2·(upper − 1).
        while i + 9 <= range.upperBound {
            let pair = UnsafeRawPointer(source + 2 * i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(target + i).storeBytes(of: pair.evenHalf, as: SIMD8<Float>.self)
            i += 8
        }
        while i < range.upperBound {
            target[i] = source[2 * i]
            i += 1
        }
    }
}
