import AttentionSpec

extension AttentionSpec {
    /// Keys per panel of consecutive visits: at least 64, so products keep their width when key
    /// tiles are small; a key tile larger than its axis counts as the axis. The IR and the
    /// memory estimate both read it from here.
    public var panelKeys: Int { max(64, effectiveTiling.keyTile.reduce(1, *)) }
}
