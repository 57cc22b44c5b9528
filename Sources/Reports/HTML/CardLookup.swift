import Mustache

// The card's values by name for the template engine: without these it finds each field by
// reflection (Mirror), which made rendering 10,000 cards take a minute (perf: metadata
// lookups and dynamic casts). Each case is a stored property of the same name.

extension VideoCard: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "anchor": anchor
        case "rank": rank
        case "path": path
        case "verdict": verdict
        case "status": status
        case "pFake": pFake
        case "facts": facts
        case "error": error
        case "notes": notes
        case "classes": classes
        case "tracks": tracks
        default: nil
        }
    }
}

extension VideoCard.Fact: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "value": value
        default: nil
        }
    }
}

extension VideoCard.TrackView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "faces": faces
        case "plot": plot
        default: nil
        }
    }
}

extension VideoCard.FaceView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "kind": kind
        case "side": side
        case "caption": caption
        case "source": source
        case "overlays": overlays
        case "hasOverlays": hasOverlays
        case "attention": attention
        default: nil
        }
    }
}

extension VideoCard.AttentionView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "maps": maps
        case "caption": caption
        default: nil
        }
    }
}

extension ClassBars: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "bars": bars
        default: nil
        }
    }
}

extension ClassBars.Bar: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "value": value
        case "width": width
        case "kind": kind
        default: nil
        }
    }
}

extension VideoCard.OverlayView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "label": label
        case "source": source
        default: nil
        }
    }
}

extension PlotView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "width": width
        case "height": height
        case "plotLeft": plotLeft
        case "plotRight": plotRight
        case "plotTop": plotTop
        case "plotBottom": plotBottom
        case "plotMiddle": plotMiddle
        case "thresholdY": thresholdY
        case "thresholdLabel": thresholdLabel
        case "points": points
        case "dots": dots
        case "ticks": ticks
        case "label": label
        default: nil
        }
    }
}

extension PlotView.Dot: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "x": x
        case "y": y
        case "title": title
        case "above": above
        default: nil
        }
    }
}

extension PlotView.Tick: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "x": x
        case "text": text
        case "end": end
        default: nil
        }
    }
}
