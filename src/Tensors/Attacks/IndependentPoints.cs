namespace ActorTrain.Tensors.Attacks;

/// <summary>Greedy column-pivoted Gram–Schmidt: up to S linearly independent unit points, the most orthogonal first.</summary>
internal static class IndependentPoints
{
    /// <summary>A point whose distance² to the span chosen so far is below this adds no new direction.</summary>
    private const double MinimumResidualSquared = 1e-10;

    /// <summary>Indices of up to <see cref="UnitPoints.Dimension"/> points; fewer if the points span less (then the cone is not R^S).</summary>
    public static List<int> Greedy(UnitPoints points)
    {
        var n = points.Count;
        var dimension = points.Dimension;
        var residuals = (double[])points.Values.Clone();
        var lengths = Enumerable.Repeat(1.0, n).ToArray();
        var chosen = new List<int>();
        var direction = new double[dimension];
        while (chosen.Count < dimension)
        {
            var pivot = -1;
            var longest = MinimumResidualSquared;
            for (var j = 0; j < n; j++)
                if (lengths[j] > longest) (pivot, longest) = (j, lengths[j]);
            if (pivot < 0) break;
            chosen.Add(pivot);
            residuals.AsSpan(pivot * dimension, dimension).CopyTo(direction);
            VectorMath.Scale(direction, 1 / Math.Sqrt(VectorMath.Dot(direction, direction)));
            for (var j = 0; j < n; j++)
            {
                var row = residuals.AsSpan(j * dimension, dimension);
                VectorMath.AddScaled(row, -VectorMath.Dot(row, direction), direction);
                lengths[j] = VectorMath.Dot(row, row);
            }
            lengths[pivot] = 0;
        }
        return chosen;
    }
}
