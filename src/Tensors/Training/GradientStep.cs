using static TorchSharp.torch;

namespace ActorTrain.Tensors.Training;

/// <summary>The gradients of one batch, by parameter name, with the batch's mean loss.</summary>
public sealed record BatchGradients(double Loss, int BatchSize, Dictionary<string, Tensor> Gradients, long[] Labels) : IDisposable
{
    public void Dispose()
    {
        foreach (var g in Gradients.Values) g.Dispose();
    }
}

/// <summary>Computes per-parameter gradients of the mean cross-entropy loss of a batch.</summary>
public static class GradientStep
{
    /// <returns>Gradient copies owned by the caller; the model's own .grad buffers are cleared.</returns>
    /// <exception cref="NonFiniteValueException">The loss or a gradient is NaN or infinite.</exception>
    public static BatchGradients Compute(nn.Module<Tensor, Tensor> model, Tensor inputs, Tensor labels)
    {
        var loss = Backward(model, inputs, labels);
        var gradients = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using (NewDisposeScope())
            foreach (var (name, gradient) in Gradients(model))
                gradients[name] = gradient.detach().clone().DetachFromDisposeScope();
        model.zero_grad();
        return new BatchGradients(loss, (int)labels.shape[0], gradients, labels.cpu().data<long>().ToArray());
    }

    /// <summary>
    /// Forward and backward pass leaving the gradients in the parameters' .grad buffers (no copies);
    /// read them with <see cref="Gradients"/>, then clear them with zero_grad.
    /// </summary>
    /// <returns>The batch's mean loss.</returns>
    public static double Backward(nn.Module<Tensor, Tensor> model, Tensor inputs, Tensor labels)
    {
        model.train();
        model.zero_grad();
        double loss;
        using (var scope = NewDisposeScope())
        {
            var logits = model.forward(inputs);
            var lossTensor = nn.functional.cross_entropy(logits, labels);
            loss = lossTensor.item<float>();
            if (!double.IsFinite(loss))
                throw new NonFiniteValueException($"The loss is {loss}: training diverged. Lower the learning rate (--lr) or check the inputs.");
            lossTensor.backward();
        }
        return loss;
    }

    /// <summary>
    /// Each parameter's .grad after <see cref="Backward"/>, by name (the model's own buffers). Call inside a dispose
    /// scope: every .grad read is a new native handle, and an undisposed one keeps the gradient's memory alive after
    /// zero_grad, so the next backward allocates fresh memory (measured: 19 → 45 ms per step for a 3.7M-parameter MLP).
    /// </summary>
    public static IReadOnlyList<(string Name, Tensor Gradient)> Gradients(nn.Module<Tensor, Tensor> model) =>
        model.named_parameters().Select(p => (p.name, p.parameter.grad
            ?? throw new InvalidOperationException($"Parameter '{p.name}' received no gradient: it is not used by the forward pass."))).ToArray();
}

/// <summary>A NaN or infinity where only finite numbers are allowed.</summary>
public sealed class NonFiniteValueException(string message) : Exception(message);
