using ActorTrain.Actors.Protocol;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;

namespace ActorTrain.Actors.Split;

/// <summary>
/// The defense in the run's result: each client's defense actor publishes dCor(X, Z) of every batch on the run's
/// topic (<see cref="DefenseMeasured"/>); the split server subscribes when the run is defended and reports their
/// mean, and the mean over the last tenth, in <see cref="ParameterServer.RunOutcome.Defense"/>.
/// </summary>
public sealed partial class SplitServerActor
{
    private readonly DefenseTally _defense = new();

    private void ReceiveDefenseMeasurements()
    {
        Receive<DefenseMeasured>(m => { if (m.RunId == _setup.Spec.RunId) _defense.Add(m); });
        Receive<SubscribeAck>(_ => { });
    }

    private void SubscribeToDefenseMeasurements()
    {
        if (_split.Defended) DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(UpdateTopics.For(_setup.Spec.RunId), Self), Self);
    }
}
