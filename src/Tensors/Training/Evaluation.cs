using ActorTrain.Tensors.Data;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Training;

/// <summary>Classification accuracy of a model on a dataset.</summary>
public static class Evaluation
{
    /// <returns>Fraction of samples whose arg-max logit is the true label, in [0, 1].</returns>
    public static double Accuracy(nn.Module<Tensor, Tensor> model, LabeledDataset data, Device device, int batchSize = 1000)
    {
        model.eval();
        using var noGrad = no_grad();
        long correct = 0;
        for (var start = 0; start < data.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var length = Math.Min(batchSize, data.Count - start);
            var inputs = data.Inputs.narrow(0, start, length).to(device);
            var labels = data.Labels.narrow(0, start, length).to(device);
            correct += model.forward(inputs).argmax(1).eq(labels).sum().item<long>();
        }
        model.train();
        return (double)correct / data.Count;
    }
}
