import AttentionSpec

extension AttentionSpec {
    /// Keys per panel of consecutive visits: at least 64, so products keep their width when key
    /// tiles are small; a key tile larger than its axis counts as the axis. The IR and the
    /// memory estimate both read it from here.
    public var panelKeys: Int { max(64, effectiveTiling.keyTile.reduce(1, *)) }

    /// Keys per panel on the host CPU: its panels live in cache, not in a work-group's local
    /// memory, so they may hold more visits (a neighborhood's trimmed tiles of 36–64 keys group
    /// into fewer panels, each one softmax rescale of the accumulator). 256 measured best: at
    /// 512 the scores and V panel of a 64-row tile (128 KiB each) made dense 4096 1.7× slower.
    public var hostPanelKeys: Int { max(256, panelKeys) }
}
