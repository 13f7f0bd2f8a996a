using ActorTrain.Actors.Protocol;
using ActorTrain.Tensors.Defenses;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using static TorchSharp.torch;

namespace ActorTrain.Actors.Split;

/// <summary>Client → its defense: the raw inputs and the activations of one batch (both stay on this node).</summary>
public sealed record DefendBatch(long Step, float[] Inputs, int InputWidth, float[] Activations, int ActivationWidth);

/// <summary>Defense → client: the activations to send (noised when the run asks for noise).</summary>
public sealed record ActivationsToSend(long Step, float[] Activations);

/// <summary>Defense → client: α·∂dCor(X, Z)/∂Z to add to the server's ∂L/∂Z (empty when α = 0), and dCor itself.</summary>
public sealed record DefenseGradient(long Step, float[] Gradient, double DistanceCorrelation);

/// <summary>
/// The client's defenses (one per client, on the client's node, on its own thread): Laplace or Gaussian noise on Z
/// before it is sent, and NoPeek (Vepakomma et al. 2020): the gradient of α·dCor(X, Z), the distance correlation
/// between the batch's raw inputs and its activations (Euclidean distances, V-statistic), which the client adds to
/// the server's gradient. It answers the noised activations first, so the round trip to the server and the dCor
/// computation overlap. Each batch's dCor is published on the run's update topic as <see cref="DefenseMeasured"/>.
/// </summary>
public sealed class NoPeekDefense : ReceiveActor
{
    private readonly string _runId;
    private readonly string _workerId;
    private readonly SplitSpec _spec;
    private readonly Random _random;
    private readonly IActorRef? _mediator;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public NoPeekDefense(string runId, string workerId, SplitSpec spec, ulong seed, bool publish)
    {
        (_runId, _workerId, _spec) = (runId, workerId, spec);
        _random = new Random(unchecked((int)seed ^ (int)(seed >> 32))); // seeded: a run's noise reproduces
        if (publish) _mediator = DistributedPubSub.Get(Context.System).Mediator;
        Receive<DefendBatch>(Defend);
    }

    /// <summary>
    /// One TorchSharp thread on this actor's own thread: the client's thread already uses the cores, and two OpenMP
    /// pools spinning against each other on a small machine cost more than the n × n matrices gain.
    /// </summary>
    protected override void PreStart() => set_num_threads(1);

    public static Props Props(string runId, string workerId, SplitSpec spec, ulong seed, bool publish = true) =>
        Akka.Actor.Props.Create(() => new NoPeekDefense(runId, workerId, spec, seed, publish)).WithDispatcher(ComputeDispatcher.Id);

    private void Defend(DefendBatch batch)
    {
        Sender.Tell(new ActivationsToSend(batch.Step, Noised(batch.Activations)));
        float[] gradient;
        double dcor;
        try
        {
            (gradient, dcor) = Gradient(batch);
        }
        catch (Exception e)
        {
            // The client waits for this answer (a non-finite gradient or any failure): a failed batch goes without the defense term, and says so.
            _log.Error(e, "NoPeek failed at step {0} of {1}: {2}; this batch goes without the dCor gradient.", batch.Step, _workerId, e.Message);
            Sender.Tell(new DefenseGradient(batch.Step, [], double.NaN));
            return;
        }
        Sender.Tell(new DefenseGradient(batch.Step, gradient, dcor));
        _mediator?.Tell(new Publish(UpdateTopics.For(_runId), new DefenseMeasured(_runId, _workerId, batch.Step, dcor, _spec.Alpha)));
    }

    private float[] Noised(float[] activations) => ActivationNoise.Apply(activations, _spec.Noise, _spec.NoiseScale, _random);

    /// <summary>α·∂dCor/∂Z (empty when α = 0) and dCor, for the batch's X and Z before noise.</summary>
    private (float[] Gradient, double DistanceCorrelation) Gradient(DefendBatch batch) =>
        NoPeekGradient.Compute(batch.Inputs, batch.InputWidth, batch.Activations, batch.ActivationWidth, _spec.Alpha);
}
