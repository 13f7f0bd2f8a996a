namespace ActorTrain.Tensors.Attacks;

/// <summary>
/// Non-negative least squares min_{λ ≥ 0} ‖Σ_{j∈A} λ_j x_j − b‖₂ by Lawson and Hanson's active-set method
/// (Solving Least Squares Problems, 1974, ch. 23), over rows x_j of a shared point matrix and a candidate set A that
/// may grow between solves: a solve continues from the previous optimum (warm start).
/// At the optimum the residual ρ = Σ λ_j x_j − b satisfies x_jᵀρ ≥ 0 for every candidate and bᵀρ = −‖ρ‖², so it is
/// Farkas' alternative in one object: either ρ = 0 and b ∈ cone(A), or ρ separates b from cone(A).
/// The passive set's Gram matrix is kept as a Cholesky factor, updated in O(p²) when a column enters or leaves.
/// </summary>
internal sealed class ConeNnls
{
    /// <summary>A column enters only if it improves the objective by more than this, relative to ‖ρ‖.</summary>
    public const double EnteringTolerance = 1e-10;

    /// <summary>The solve stops once ‖ρ‖ ≤ this·‖b‖: b is in the cone as far as double precision can tell.</summary>
    public const double ZeroResidual = 1e-10;

    /// <summary>Squared distance from the passive span below which an entering column counts as dependent.</summary>
    private const double DependentDistanceSquared = 1e-14;

    private readonly double[] _points;
    private readonly int _dimension;
    private readonly double[] _target;
    private readonly List<int> _candidates = [];
    private readonly int[] _candidateStamp;
    private readonly int[] _blockedStamp;
    private readonly int[] _passive;
    private readonly bool[] _isPassive;
    private readonly double[] _lambda;
    private readonly double[] _passiveDotTarget;
    private readonly double[] _cholesky;
    private readonly double[] _solution;
    private readonly double[] _column;
    private readonly double[] _residual;
    private int _stamp;
    private int _blockStamp;
    private int _passiveCount;

    /// <param name="points">n × <paramref name="dimension"/> row-major; rows of unit length.</param>
    public ConeNnls(double[] points, int dimension)
    {
        _points = points;
        _dimension = dimension;
        var count = points.Length / dimension;
        _target = new double[dimension];
        _candidateStamp = new int[count];
        _blockedStamp = new int[count];
        _passive = new int[dimension];
        _isPassive = new bool[count];
        _lambda = new double[dimension];
        _passiveDotTarget = new double[dimension];
        _cholesky = new double[dimension * dimension];
        _solution = new double[dimension];
        _column = new double[dimension];
        _residual = new double[dimension];
    }

    /// <summary>ρ = Σ λ_j x_j − b at the last solve.</summary>
    public ReadOnlySpan<double> Residual => _residual;

    public double ResidualNorm => Math.Sqrt(VectorMath.Dot(_residual, _residual));

    public double TargetNorm => Math.Sqrt(VectorMath.Dot(_target, _target));

    /// <summary>Lawson–Hanson iterations (least-squares solves) since construction.</summary>
    public long Iterations { get; private set; }

    public int CandidateCount => _candidates.Count;

    /// <summary>Starts a new problem with target <paramref name="target"/> and no candidates.</summary>
    public void Reset(ReadOnlySpan<double> target)
    {
        target.CopyTo(_target);
        _candidates.Clear();
        _stamp++;
        for (var k = 0; k < _passiveCount; k++) _isPassive[_passive[k]] = false;
        _passiveCount = 0;
        target.CopyTo(_residual);
        VectorMath.Scale(_residual, -1);
    }

    public bool IsCandidate(int index) => _candidateStamp[index] == _stamp;

    public void AddCandidate(int index)
    {
        if (IsCandidate(index)) return;
        _candidateStamp[index] = _stamp;
        _candidates.Add(index);
    }

    /// <summary>
    /// Continues to the optimum over the current candidates. False when <paramref name="maxIterations"/> least-squares
    /// solves did not reach it (the caller then decides by other means).
    /// </summary>
    public bool Solve(int maxIterations)
    {
        var stopNorm = ZeroResidual * TargetNorm;
        _blockStamp++;
        for (var used = 0; ;)
        {
            ComputeResidual();
            var residualNorm = ResidualNorm;
            if (residualNorm <= stopNorm) return true;
            var entering = MostImproving(EnteringTolerance * residualNorm);
            if (entering < 0) return true;
            if (!TryAppend(entering))
            {
                _blockedStamp[entering] = _blockStamp;
                continue;
            }
            _lambda[_passiveCount - 1] = 0;
            SolveLeastSquares();
            if (_solution[_passiveCount - 1] <= 0)
            {
                // Round-off made the entering column useless after all: drop it, or it would enter again forever.
                _isPassive[entering] = false;
                _passiveCount--;
                _blockedStamp[entering] = _blockStamp;
                continue;
            }
            while (true)
            {
                if (++used > maxIterations) return false;
                Iterations++;
                if (StepTowardSolution()) break;
                SolveLeastSquares();
            }
            _blockStamp++;
        }
    }

    /// <summary>Moves λ toward the least-squares solution; true when it got there (all positive), false after dropping columns.</summary>
    private bool StepTowardSolution()
    {
        var step = 1.0;
        var limiting = -1;
        for (var k = 0; k < _passiveCount; k++)
        {
            if (_solution[k] > 0) continue;
            var ratio = _lambda[k] / (_lambda[k] - _solution[k]);
            if (ratio < step) (step, limiting) = (ratio, k);
        }
        if (limiting < 0)
        {
            Array.Copy(_solution, _lambda, _passiveCount);
            return true;
        }
        for (var k = 0; k < _passiveCount; k++) _lambda[k] += step * (_solution[k] - _lambda[k]);
        _lambda[limiting] = 0;
        for (var k = _passiveCount - 1; k >= 0; k--)
            if (_lambda[k] <= 0) RemovePassive(k);
        return false;
    }

    private int MostImproving(double threshold)
    {
        var best = -1;
        var bestGain = threshold;
        foreach (var j in _candidates)
        {
            if (_blockedStamp[j] == _blockStamp || IsPassive(j)) continue;
            var gain = -VectorMath.Dot(Row(j), _residual);
            if (gain > bestGain) (best, bestGain) = (j, gain);
        }
        return best;
    }

    private bool IsPassive(int index) => _isPassive[index];

    private ReadOnlySpan<double> Row(int index) => _points.AsSpan(index * _dimension, _dimension);

    private void ComputeResidual()
    {
        var residual = _residual.AsSpan();
        _target.CopyTo(residual);
        VectorMath.Scale(residual, -1);
        for (var k = 0; k < _passiveCount; k++)
            VectorMath.AddScaled(residual, _lambda[k], Row(_passive[k]));
    }

    /// <summary>Appends column <paramref name="index"/> to the passive set and its Cholesky factor; false if it is (numerically) in their span.</summary>
    private bool TryAppend(int index)
    {
        if (_passiveCount == _dimension) return false;
        var p = _passiveCount;
        var x = Row(index);
        var row = _cholesky.AsSpan(p * _dimension, _dimension);
        for (var k = 0; k < p; k++) row[k] = VectorMath.Dot(Row(_passive[k]), x);
        for (var k = 0; k < p; k++) // forward substitution: L y = g
        {
            var sum = row[k];
            for (var m = 0; m < k; m++) sum -= _cholesky[k * _dimension + m] * row[m];
            row[k] = sum / _cholesky[k * _dimension + k];
        }
        var distanceSquared = VectorMath.Dot(x, x) - VectorMath.Dot(row[..p], row[..p]);
        if (distanceSquared <= DependentDistanceSquared) return false;
        row[p] = Math.Sqrt(distanceSquared);
        _passive[p] = index;
        _isPassive[index] = true;
        _passiveDotTarget[p] = VectorMath.Dot(x, _target);
        _passiveCount++;
        return true;
    }

    /// <summary>Removes passive position <paramref name="position"/>: the trailing block of L absorbs the removed column by a rank-one update.</summary>
    private void RemovePassive(int position)
    {
        var n = _dimension;
        var p = _passiveCount;
        _isPassive[_passive[position]] = false;
        // Column `position` below the diagonal, to be folded into the trailing block: L22' L22'ᵀ = L22 L22ᵀ + v vᵀ.
        for (var i = position + 1; i < p; i++) _column[i] = _cholesky[i * n + position];
        for (var i = position + 1; i < p; i++) // shift rows up and columns left
        {
            for (var m = 0; m < position; m++) _cholesky[(i - 1) * n + m] = _cholesky[i * n + m];
            for (var m = position + 1; m <= i; m++) _cholesky[(i - 1) * n + m - 1] = _cholesky[i * n + m];
        }
        for (var k = position; k < p - 1; k++) // rank-one update of the trailing (p−1−position) block
        {
            var diagonal = _cholesky[k * n + k];
            var v = _column[k + 1];
            var r = Math.Sqrt(diagonal * diagonal + v * v);
            var (c, s) = (r / diagonal, v / diagonal);
            _cholesky[k * n + k] = r;
            for (var i = k + 1; i < p - 1; i++)
            {
                var lik = (_cholesky[i * n + k] + s * _column[i + 1]) / c;
                _column[i + 1] = c * _column[i + 1] - s * lik;
                _cholesky[i * n + k] = lik;
            }
        }
        for (var k = position; k < p - 1; k++)
        {
            _passive[k] = _passive[k + 1];
            _lambda[k] = _lambda[k + 1];
            _passiveDotTarget[k] = _passiveDotTarget[k + 1];
            _solution[k] = _solution[k + 1];
        }
        _passiveCount--;
    }

    /// <summary>Solves L Lᵀ s = X_P b for the passive coefficients.</summary>
    private void SolveLeastSquares()
    {
        var n = _dimension;
        var p = _passiveCount;
        for (var k = 0; k < p; k++)
        {
            var sum = _passiveDotTarget[k];
            for (var m = 0; m < k; m++) sum -= _cholesky[k * n + m] * _solution[m];
            _solution[k] = sum / _cholesky[k * n + k];
        }
        for (var k = p - 1; k >= 0; k--)
        {
            var sum = _solution[k];
            for (var m = k + 1; m < p; m++) sum -= _cholesky[m * n + k] * _solution[m];
            _solution[k] = sum / _cholesky[k * n + k];
        }
    }
}
