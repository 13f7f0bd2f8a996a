using ActorTrain.Tensors.Devices;
using TorchSharp;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Tests.Devices;

public sealed class TorchSharpLoadTests
{
    [Fact]
    public void Backward_InTestProcess_GivesAnalyticGradient()
    {
        // d/dx sum(x^2 * 3) = 6x, exact in fp32 for these small integers.
        using var x = tensor(new float[] { 1, -2, 3 }, requires_grad: true);
        using var loss = (x.pow(2) * 3).sum();
        loss.backward();
        Assert.Equal(new float[] { 6, -12, 18 }, x.grad!.data<float>().ToArray());
    }

    [Fact]
    public void Available_WithoutCuda_IsTheCpu()
    {
        var devices = ComputeDevice.Available();
        Assert.NotEmpty(devices);
        if (!cuda.is_available()) Assert.Equal([ComputeDevice.Cpu], devices);
    }

    [Theory]
    [InlineData("cpu", "cpu")]
    [InlineData("CUDA", "cuda:0")]
    [InlineData("cuda:3", "cuda:3")]
    public void Parse_KnownNames_AreCanonical(string text, string expected) =>
        Assert.Equal(expected, ComputeDevice.Parse(text).Name);

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    public void Parse_UnknownName_SaysWhatIsAccepted(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => ComputeDevice.Parse(text));
        Assert.Contains("'cpu', 'cuda' or 'cuda:N'", error.Message);
    }

    [Fact]
    public void ToTorch_MissingCudaDevice_NamesTheDevice()
    {
        if (cuda.is_available()) return;
        var error = Assert.Throws<ArgumentException>(() => ComputeDevice.Cuda(0).ToTorch());
        Assert.Contains("cuda:0", error.Message);
        Assert.Contains("deploy/publish.sh --pytorch-libtorch", error.Message);
    }
}
