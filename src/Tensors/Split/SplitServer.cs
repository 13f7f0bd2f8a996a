using ActorTrain.Tensors.Data;
using ActorTrain.Tensors.Models;
using ActorTrain.Tensors.Training;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Split;

/// <summary>What the server's step returns: ∂L/∂Z for the client (n × d_z, flat) and the batch's mean loss.</summary>
public sealed record ServerStep(float[] ActivationGradient, double Loss);

/// <summary>
/// The server side of split learning: the layers after the cut and the loss. <see cref="Step"/> takes a client's
/// activations and labels, computes the mean cross-entropy, updates the server segment and returns ∂L/∂Z.
/// It also holds a copy of the client segment, used only to measure test accuracy with a client's weights.
/// </summary>
public sealed class SplitServer : IDisposable
{
    private readonly LayeredModel _whole;
    private readonly LayeredModel _server;
    private readonly ParameterLayout _clientLayout;
    private readonly (string Name, Tensor Tensor)[] _clientParameters;
    private readonly (string Name, Tensor Tensor)[] _parameters;
    private readonly IGradientOptimizer _optimizer;
    private readonly long[] _activationShape;

    /// <param name="model">The whole model, seeded like the clients'; the server keeps the layers after <paramref name="cut"/>.</param>
    /// <param name="inputShape">One sample's input shape, to learn the activation shape the server segment expects.</param>
    public SplitServer(LayeredModel model, string cut, long[] inputShape, IGradientOptimizer optimizer)
    {
        _whole = model;
        var (client, server) = model.Split(cut);
        _server = server;
        _optimizer = optimizer;
        _parameters = _server.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToArray();
        _clientParameters = client.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToArray();
        _clientLayout = ParameterLayout.Of(client);
        Layout = ParameterLayout.Of(_server);
        using var probe = client.forward(zeros([1, .. inputShape]));
        _activationShape = probe.shape[1..];
    }

    /// <summary>The server segment's parameters.</summary>
    public ParameterLayout Layout { get; }

    /// <summary>The client segment's parameters (what clients send for evaluation, and SplitFed averages).</summary>
    public ParameterLayout ClientLayout => _clientLayout;

    /// <summary>The server's copy of the client segment: the model's initial weights, or the last ones evaluated.</summary>
    public float[] ClientWeights() => _clientLayout.Flatten(_clientParameters);

    /// <summary>One sample's activation shape at the cut (e.g. [128], or [16, 14, 14]).</summary>
    public IReadOnlyList<long> ActivationShape => _activationShape;

    public int ActivationWidth => (int)_activationShape.Aggregate(1L, (a, b) => a * b);

    public float[] Weights() => Layout.Flatten(_parameters);

    public ServerStep Step(ReadOnlySpan<float> activations, ReadOnlySpan<long> labels)
    {
        var n = labels.Length;
        if (n == 0 || activations.Length != (long)n * ActivationWidth)
            throw new ArgumentException($"{activations.Length} activation values for {n} labels; each sample's activations have {ActivationWidth} values.");
        for (var i = 0; i < activations.Length; i++)
            if (!float.IsFinite(activations[i]))
                throw new NonFiniteValueException($"Activation {i} is {activations[i]}.");
        using var scope = NewDisposeScope();
        var z = tensor(activations.ToArray(), [n, .. _activationShape]).requires_grad_(true);
        var y = tensor(labels.ToArray());
        _server.train();
        _server.zero_grad();
        var loss = nn.functional.cross_entropy(_server.forward(z), y);
        var value = loss.item<float>();
        if (!float.IsFinite(value)) throw new NonFiniteValueException($"The loss is {value}: training diverged. Lower the learning rate (--lr).");
        loss.backward();
        var gradient = z.grad!.reshape(n, -1).data<float>().ToArray();
        _optimizer.Step(_parameters, GradientStep.Gradients(_server).ToDictionary(g => g.Name, g => g.Gradient, StringComparer.Ordinal));
        _server.zero_grad();
        return new ServerStep(gradient, value);
    }

    /// <summary>Accuracy of the server segment on activations a client sent (n × d_z, flat) against their labels.</summary>
    public double Accuracy(ReadOnlySpan<float> activations, ReadOnlySpan<long> labels)
    {
        var n = labels.Length;
        if (n == 0 || activations.Length != (long)n * ActivationWidth)
            throw new ArgumentException($"{activations.Length} activation values for {n} labels; each sample's activations have {ActivationWidth} values.");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        _server.eval();
        var predicted = _server.forward(tensor(activations.ToArray(), [n, .. _activationShape])).argmax(1);
        return predicted.eq(tensor(labels.ToArray())).sum().item<long>() / (double)n;
    }

    /// <summary>Test accuracy of the whole model with a client's segment weights and the server's own.</summary>
    public double Accuracy(ReadOnlySpan<float> clientWeights, LabeledDataset test)
    {
        _clientLayout.CopyInto(_clientParameters, clientWeights);
        return Evaluation.Accuracy(_whole, test, CPU);
    }

    public void Dispose() => _whole.Dispose();
}
