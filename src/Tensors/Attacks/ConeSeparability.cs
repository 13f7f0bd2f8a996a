namespace ActorTrain.Tensors.Attacks;

/// <summary>
/// The exact separability test for all classes at once, fast. Class c is present iff x_c ∉ cone{x_j : j ≠ c}
/// (Farkas' form of "some r has rᵀx_c &lt; 0 ≤ rᵀx_j for all j ≠ c"). Every decision rests on a certificate that is
/// checked against all C points:
/// <list type="number">
/// <item>Positive spanning set. If a subset W satisfies cone(W) = R^S, every class outside W is absent: x_c ∈ R^S =
/// cone(W) ⊆ cone(others). W is grown from S linearly independent points by cutting planes: NNLS asks whether −Σ_{W₀} x_w ∈
/// cone(W) (with W₀ spanning R^S this proves cone(W) = R^S, since then every w ∈ W₀ and −w lie in the cone); if not,
/// the NNLS residual ρ has W in the half-space ρᵀx ≥ 0, and the points with ρᵀx_j &lt; 0 join W. Gradient updates
/// sum to zero over classes (Σ_c g_ic = 0), so their points positively span R^S and W ends up at about S + 1 points;
/// W must contain every present class.</item>
/// <item>Per class in W (or every class, when no positive spanning set exists): NNLS of x_c over the others in W.
/// A zero residual proves x_c ∈ cone(others): absent. Otherwise ρ separates x_c from W; checked against all points it
/// either proves presence or names violators, which join the candidates (cutting planes again) until one of the
/// two certificates holds.</item>
/// <item>Anything NNLS leaves undecided (iteration cap, a violator NNLS could not use, a margin inside the tolerance
/// band) goes to the naive test's own LP for that class (GLOP, all other classes as constraints), so such classes get
/// the exact test's answer by construction. These LPs run in parallel. (Constraint generation from the NNLS
/// candidates was tried: its rounds made it 1–7× slower than one full LP at C = 1000.)</item>
/// </list>
/// Tolerances: absent when ‖ρ‖ ≤ 1e-9 (then every LP margin is ≤ 1e-9·√S, below <see cref="GlopSeparability.MarginThreshold"/>);
/// present when ‖ρ‖ ≥ 1e-6 and x_jᵀρ ≥ −1e-9‖ρ‖ for all j ≠ c (then r = ρ/‖ρ‖_∞ has margin ≥ ‖ρ‖ &gt; the threshold).
/// </summary>
internal static class ConeSeparability
{
    private const double AbsentResidual = 1e-9;
    private const double PresentResidual = 1e-6;
    private const double SeparationTolerance = 1e-9;
    private const int MaxAddedPerRound = 8;
    private const int MaxRounds = 200;

    /// <param name="iterationCap">Lawson–Hanson iterations allowed per NNLS solve; default 5S + 50. Tests lower it to force the LP fallback.</param>
    public static SeparabilityOutcome Decide(UnitPoints points, int? iterationCap = null)
    {
        var n = points.Count;
        var present = new bool[n];
        if (n <= 1)
        {
            if (n == 1) present[0] = true; // no other point: cone(others) = {0}
            return new SeparabilityOutcome(present, new SeparabilityStats(false, 0, 0, 0, 0));
        }
        var state = new State(points, iterationCap ?? 5 * points.Dimension + 50);
        var spanning = state.GrowPositiveSpanningSet();
        var toDecide = spanning ? state.Pool.ToArray() : Enumerable.Range(0, n).ToArray();
        var undecided = new List<int>();
        foreach (var c in toDecide)
        {
            if (state.DecideOne(c) is { } decided) present[c] = decided;
            else undecided.Add(c);
        }
        // Each fallback LP is independent of the others: use every core.
        Parallel.ForEach(undecided, c => present[c] = GlopSeparability.IsPresent(points, c, GlopSeparability.AllBut(points, c)));
        return new SeparabilityOutcome(present, new SeparabilityStats(spanning, spanning ? toDecide.Length : 0, state.Solves, state.Nnls.Iterations, undecided.Count));
    }

    private sealed class State(UnitPoints points, int maxIterations)
    {
        private readonly double[] _scores = new double[points.Count];
        private readonly bool[] _inPool = new bool[points.Count];

        public ConeNnls Nnls { get; } = new(points.Values, points.Dimension);

        public List<int> Pool { get; } = [];

        public int Solves { get; private set; }

        /// <summary>Grows <see cref="Pool"/> until cone(Pool) = R^S; false if that is not the case for all points (or not certified).</summary>
        public bool GrowPositiveSpanningSet()
        {
            var basis = IndependentPoints.Greedy(points);
            foreach (var j in basis) AddToPool(j);
            if (basis.Count < points.Dimension) return false;
            var target = new double[points.Dimension];
            foreach (var w in basis) VectorMath.AddScaled(target, -1, points.Row(w));
            Nnls.Reset(target);
            foreach (var w in basis) Nnls.AddCandidate(w);
            for (var round = 0; round < MaxRounds; round++)
            {
                Solves++;
                if (!Nnls.Solve(maxIterations)) return false;
                if (Nnls.ResidualNorm <= AbsentResidual * Nnls.TargetNorm) return true;
                var violators = Violators(exclude: -1, out var blocked);
                if (violators.Count == 0 || blocked) return false; // all points in a half-space, or not certified
                foreach (var j in violators) { AddToPool(j); Nnls.AddCandidate(j); }
            }
            return false;
        }

        /// <summary>Present or absent by a certificate; null when NNLS cannot decide (the caller asks the LP).</summary>
        public bool? DecideOne(int c)
        {
            Nnls.Reset(points.Row(c));
            foreach (var j in Pool)
                if (j != c) Nnls.AddCandidate(j);
            for (var round = 0; round < MaxRounds; round++)
            {
                Solves++;
                if (!Nnls.Solve(maxIterations)) break;
                var residual = Nnls.ResidualNorm;
                if (residual <= AbsentResidual) return false;
                var violators = Violators(exclude: c, out var blocked);
                if (blocked) break;
                if (violators.Count == 0)
                {
                    if (residual >= PresentResidual) return true;
                    break;
                }
                foreach (var j in violators) { AddToPool(j); Nnls.AddCandidate(j); }
            }
            return null;
        }

        /// <summary>
        /// The most negative points (up to <see cref="MaxAddedPerRound"/>) under the current residual direction, other than
        /// <paramref name="exclude"/>; <paramref name="blocked"/> if a violator is already a candidate (NNLS could not use it).
        /// </summary>
        private List<int> Violators(int exclude, out bool blocked)
        {
            var direction = Nnls.Residual;
            var scale = 1 / Nnls.ResidualNorm;
            blocked = false;
            var violators = new List<int>();
            for (var j = 0; j < points.Count; j++)
            {
                if (j == exclude) continue;
                var score = _scores[j] = scale * VectorMath.Dot(points.Row(j), direction);
                if (score >= -SeparationTolerance) continue;
                if (Nnls.IsCandidate(j)) blocked = true;
                else violators.Add(j);
            }
            if (violators.Count > MaxAddedPerRound)
            {
                violators.Sort((a, b) => _scores[a].CompareTo(_scores[b]));
                violators.RemoveRange(MaxAddedPerRound, violators.Count - MaxAddedPerRound);
            }
            return violators;
        }

        private void AddToPool(int j)
        {
            if (_inPool[j]) return;
            _inPool[j] = true;
            Pool.Add(j);
        }
    }
}

/// <summary>Which classes the exact test finds present, and how much work the fast test did.</summary>
internal sealed record SeparabilityOutcome(bool[] Present, SeparabilityStats Stats);

/// <summary>Work done by the fast exact separability test.</summary>
/// <param name="PositiveSpanning">A positive spanning set was found, so every class outside it was absent at once.</param>
/// <param name="SpanningSetSize">Classes in that set (each decided on its own); 0 without one.</param>
/// <param name="NnlsSolves">Non-negative least-squares solves (warm starts included).</param>
/// <param name="NnlsIterations">Lawson–Hanson least-squares solves in total.</param>
/// <param name="LpFallbacks">Classes decided by the GLOP LP because NNLS left them undecided.</param>
public sealed record SeparabilityStats(bool PositiveSpanning, int SpanningSetSize, int NnlsSolves, long NnlsIterations, int LpFallbacks);
