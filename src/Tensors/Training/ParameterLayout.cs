using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Training;

/// <summary>One named tensor's place in a flat float32 vector.</summary>
public sealed record ParameterSlot(string Name, long[] Shape, int Offset, int Length);

/// <summary>
/// Maps named float32 tensors (parameters or their gradients) to one flat vector and back, in a fixed order,
/// so a whole update can travel or be summed as a single buffer and be restored by name.
/// </summary>
public sealed class ParameterLayout
{
    private readonly Dictionary<string, ParameterSlot> _byName;

    public ParameterLayout(IEnumerable<(string Name, long[] Shape)> entries)
    {
        var slots = new List<ParameterSlot>();
        long offset = 0;
        foreach (var (name, shape) in entries)
        {
            var length = shape.Aggregate(1L, (a, b) => a * b);
            slots.Add(new ParameterSlot(name, shape, (int)offset, (int)length));
            offset += length;
            if (offset > Array.MaxLength) throw new ArgumentException($"Parameters exceed one array at '{name}'.");
        }
        Slots = slots;
        TotalLength = (int)offset;
        _byName = slots.ToDictionary(s => s.Name, StringComparer.Ordinal);
        if (_byName.Count != slots.Count) throw new ArgumentException("Parameter names must be distinct.");
    }

    /// <summary>The layout of a model's parameters, in the model's own order.</summary>
    public static ParameterLayout Of(nn.Module module) =>
        new(module.named_parameters().Select(p => (p.name, p.parameter.shape)));

    public IReadOnlyList<ParameterSlot> Slots { get; }

    public int TotalLength { get; }

    public ParameterSlot this[string name] =>
        _byName.TryGetValue(name, out var slot) ? slot : throw new KeyNotFoundException($"No parameter named '{name}' in this layout.");

    /// <summary>Copies the named tensors into one vector. Every slot must be present with its exact shape.</summary>
    public float[] Flatten(IReadOnlyDictionary<string, Tensor> tensors)
    {
        var flat = GC.AllocateUninitializedArray<float>(TotalLength); // every element is written below
        FlattenInto(tensors, flat);
        return flat;
    }

    /// <summary>Like <see cref="Flatten(IReadOnlyDictionary{string, Tensor})"/>, into a caller's buffer.</summary>
    public void FlattenInto(IReadOnlyDictionary<string, Tensor> tensors, Span<float> flat)
    {
        if (flat.Length != TotalLength) throw new ArgumentException($"Buffer holds {flat.Length} values; this layout needs {TotalLength}.");
        foreach (var slot in Slots)
        {
            if (!tensors.TryGetValue(slot.Name, out var source))
                throw new ArgumentException($"Missing tensor for parameter '{slot.Name}'.");
            CheckShape(slot, source);
            CopyOut(source, flat.Slice(slot.Offset, slot.Length));
        }
        if (tensors.Count != Slots.Count)
            throw new ArgumentException($"Unexpected tensors: {string.Join(", ", tensors.Keys.Where(k => !_byName.ContainsKey(k)))}.");
    }

    /// <summary>New CPU tensors, one per slot, holding the slices of <paramref name="flat"/>.</summary>
    public Dictionary<string, Tensor> Restore(ReadOnlySpan<float> flat)
    {
        if (flat.Length != TotalLength)
            throw new ArgumentException($"Flat vector has {flat.Length} values; this layout needs {TotalLength}.");
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var slot in Slots)
            result[slot.Name] = tensor(flat.Slice(slot.Offset, slot.Length).ToArray(), slot.Shape);
        return result;
    }

    /// <summary>The named tensors' current values, in layout order, as one new vector.</summary>
    public float[] Flatten(IReadOnlyList<(string Name, Tensor Tensor)> tensors) =>
        Flatten(tensors.ToDictionary(t => t.Name, t => t.Tensor, StringComparer.Ordinal));

    public void FlattenInto(IReadOnlyList<(string Name, Tensor Tensor)> tensors, Span<float> flat) =>
        FlattenInto(tensors.ToDictionary(t => t.Name, t => t.Tensor, StringComparer.Ordinal), flat);

    /// <summary>Overwrites the named tensors in place with the slices of <paramref name="flat"/> (no autograd record).</summary>
    public void CopyInto(IReadOnlyList<(string Name, Tensor Tensor)> tensors, ReadOnlySpan<float> flat)
    {
        if (flat.Length != TotalLength)
            throw new ArgumentException($"Flat vector has {flat.Length} values; this layout needs {TotalLength}.");
        using var noGrad = no_grad();
        foreach (var (name, target) in tensors)
        {
            var slot = this[name];
            CheckShape(slot, target);
            var values = flat.Slice(slot.Offset, slot.Length);
            if (target.device_type == DeviceType.CPU && target.is_contiguous())
            {
                values.CopyTo(MemoryMarshal.Cast<byte, float>(target.bytes));
            }
            else
            {
                using var source = tensor(values.ToArray(), slot.Shape);
                target.copy_(source);
            }
        }
    }

    internal static void CheckShape(ParameterSlot slot, Tensor tensor)
    {
        if (!tensor.shape.SequenceEqual(slot.Shape))
            throw new ArgumentException($"Parameter '{slot.Name}' has shape [{string.Join(", ", tensor.shape)}]; expected [{string.Join(", ", slot.Shape)}].");
        if (tensor.dtype != ScalarType.Float32)
            throw new ArgumentException($"Parameter '{slot.Name}' is {tensor.dtype}; expected Float32.");
    }

    private static void CopyOut(Tensor source, Span<float> destination)
    {
        using var cpu = source.device_type == DeviceType.CPU ? source.alias() : source.cpu();
        using var contiguous = cpu.contiguous();
        MemoryMarshal.Cast<byte, float>(contiguous.bytes).CopyTo(destination);
    }
}
