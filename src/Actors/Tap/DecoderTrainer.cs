using System.Diagnostics;
using ActorTrain.Tensors.Attacks;
using Akka.Actor;
using Akka.Event;

namespace ActorTrain.Actors.Tap;

/// <summary>
/// The inversion tap's background trainer (a thread of its own, <see cref="ComputeDispatcher"/>): owns the attacker's
/// copy of the client segment and its auxiliary set, and answers each <see cref="TrainDecoder"/> with
/// <see cref="DecoderTrained"/> (the decoder's ownership passes to the receiver) or <see cref="DecoderFailed"/>.
/// </summary>
public sealed class DecoderTrainer : ReceiveActor
{
    private readonly ClientSegmentInversion _attacker;
    private readonly InversionOptions _options;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public DecoderTrainer(ClientSegmentInversion attacker, InversionOptions options)
    {
        _attacker = attacker;
        _options = options;
        Receive<TrainDecoder>(Train);
    }

    public static Props Props(ClientSegmentInversion attacker, InversionOptions options) =>
        Akka.Actor.Props.Create(() => new DecoderTrainer(attacker, options)).WithDispatcher(ComputeDispatcher.Id);

    protected override void PostStop() => _attacker.Dispose();

    private void Train(TrainDecoder order)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var decoder = _attacker.Train(order.ClientWeights, _options);
            Sender.Tell(new DecoderTrained(order.WorkerId, decoder, order.Snapshot, clock.Elapsed.TotalSeconds));
        }
        catch (Exception e) when (e is ArgumentException or System.Runtime.InteropServices.ExternalException)
        {
            _log.Warning("Could not train a decoder on client weight snapshot {0}: {1}", order.Snapshot, e.Message);
            Sender.Tell(new DecoderFailed(order.Snapshot, e.Message));
        }
    }
}

/// <summary>Train a decoder against <paramref name="WorkerId"/>'s client segment with these weights (flat, <see cref="Tensors.Training.ParameterLayout"/> order).</summary>
/// <param name="Snapshot">Which snapshot the tap received (1, 2, …).</param>
internal sealed record TrainDecoder(string WorkerId, float[] ClientWeights, long Snapshot);

/// <summary>A trained decoder (the receiver owns and disposes it).</summary>
internal sealed record DecoderTrained(string WorkerId, InversionDecoder Decoder, long Snapshot, double Seconds);

internal sealed record DecoderFailed(long Snapshot, string Reason);
