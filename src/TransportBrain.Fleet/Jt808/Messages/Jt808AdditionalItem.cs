namespace TransportBrain.Fleet.Jt808;

/// <summary>Why a location additional item (附加信息) was kept raw instead of decoded into a typed field.</summary>
public enum Jt808AdditionalItemState
{
    /// <summary>An id this codec does not decode (vendor items, or standard ones not typed yet).</summary>
    Undecoded,

    /// <summary>A decoded id whose length is not the standard one.</summary>
    WrongLength,

    /// <summary>A decoded id already seen earlier in the same report; the first one is typed.</summary>
    Duplicate,

    /// <summary>The declared length runs past the end of the body; <see cref="Jt808AdditionalItem.Value"/> holds what is there.</summary>
    Truncated,
}

/// <summary>One additional item kept as raw TLV bytes, nothing dropped.</summary>
/// <param name="Raw">The item as received: id byte, length byte (when present), value.</param>
public readonly record struct Jt808AdditionalItem(byte Id, int DeclaredLength, Jt808AdditionalItemState State, ReadOnlyMemory<byte> Raw)
{
    public ReadOnlyMemory<byte> Value => Raw.Length > 2 ? Raw[2..] : ReadOnlyMemory<byte>.Empty;
}
