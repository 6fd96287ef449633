using System.Buffers;

namespace TransportBrain.Hub.Storage;

/// <summary>
/// Bytes appended one after another into 1 MiB blocks that are reused from chunk to chunk and, through a
/// pool, from batch to batch. A block that big lives on the large-object heap, which garbage collections
/// of the young generations never copy; blocks allocated anew for every batch would be promoted (copied)
/// twice each, megabytes at a time, while the import runs.
/// </summary>
internal sealed class ByteBlocks : IDisposable
{
    public const int BlockSize = 1024 * 1024;

    /// <summary>Enough for the chunks of a few imports at once; blocks beyond that are left to the collector.</summary>
    private static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(BlockSize, 48);

    private readonly List<byte[]> _blocks = [];
    private int _block;
    private int _used;

    /// <summary>Copies <paramref name="bytes"/> in and returns where they now are (valid until <see cref="Clear"/>).</summary>
    public ReadOnlyMemory<byte> Append(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > BlockSize / 4)
        {
            // A very long record gets an array of its own rather than leave most of a block empty.
            return bytes.ToArray();
        }
        if (_block == _blocks.Count || BlockSize - _used < bytes.Length)
        {
            if (_block < _blocks.Count)
            {
                _block++;
            }
            if (_block == _blocks.Count)
            {
                _blocks.Add(Pool.Rent(BlockSize));
            }
            _used = 0;
        }
        var block = _blocks[_block];
        bytes.CopyTo(block.AsSpan(_used));
        var copy = new ReadOnlyMemory<byte>(block, _used, bytes.Length);
        _used += bytes.Length;
        return copy;
    }

    /// <summary>Starts again from the first block; what was appended before is overwritten.</summary>
    public void Clear()
    {
        _block = 0;
        _used = 0;
    }

    /// <summary>Gives the blocks back to the pool; nothing appended may be read afterwards.</summary>
    public void Dispose()
    {
        foreach (var block in _blocks)
        {
            Pool.Return(block);
        }
        _blocks.Clear();
        Clear();
    }
}
