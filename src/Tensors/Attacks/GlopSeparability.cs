using Google.OrTools.LinearSolver;

namespace ActorTrain.Tensors.Attacks;

/// <summary>
/// The separability test as one linear program per class, solved by Google OR-Tools' GLOP (primal/dual simplex).
/// For class c and a set J of other classes: maximise t subject to x_jᵀr ≥ 0 (j ∈ J), x_cᵀr + t ≤ 0,
/// −1 ≤ r_k ≤ 1 and 0 ≤ t ≤ 1. Class c is present iff t* &gt; <see cref="MarginThreshold"/>. With J = all other
/// classes this is the exact test (Dang et al. 2021, Algorithm 1); the reference code instead takes J = the
/// classes with the largest ‖q_j‖ (199 of them for its 1,000-class models), which can only add false positives.
/// The box on r makes the LP bounded, so its optimum is a margin (for unit points, t* ≥ the Euclidean margin).
/// </summary>
internal static class GlopSeparability
{
    /// <summary>Smallest optimal margin t* that counts as separable; well above GLOP's feasibility tolerances (~1e-8).</summary>
    public const double MarginThreshold = 1e-7;

    /// <summary>The exact test for every class: one fresh model per class with all C − 1 others as constraints.</summary>
    public static bool[] Naive(UnitPoints points)
    {
        var present = new bool[points.Count];
        for (var c = 0; c < points.Count; c++)
            present[c] = IsPresent(points, c, AllBut(points, c));
        return present;
    }

    /// <summary>The reference code's variant: the <paramref name="constraints"/> other classes of largest ‖q_j‖ only.</summary>
    public static bool[] Restricted(UnitPoints points, int constraints)
    {
        var byNorm = Enumerable.Range(0, points.Count).OrderByDescending(j => points.Norms[j]).ThenBy(j => j).ToArray();
        var present = new bool[points.Count];
        for (var c = 0; c < points.Count; c++)
            present[c] = IsPresent(points, c, byNorm.Where(j => j != c).Take(constraints));
        return present;
    }

    public static IEnumerable<int> AllBut(UnitPoints points, int c) => Enumerable.Range(0, points.Count).Where(j => j != c);

    public static bool IsPresent(UnitPoints points, int c, IEnumerable<int> constraints)
    {
        var rows = constraints as IReadOnlyCollection<int> ?? constraints.ToArray();
        try
        {
            return Margin(points, c, rows, "GLOP") > MarginThreshold;
        }
        catch (LpFailedException)
        {
            // x = 0, t = 0 is always feasible, yet on near-duplicate points (e.g. a diverging model's saturated softmax)
            // GLOP has answered INFEASIBLE, and ABNORMAL without presolve. COIN-OR CLP solves those.
            return Margin(points, c, rows, "CLP") > MarginThreshold;
        }
    }

    private static double Margin(UnitPoints points, int c, IEnumerable<int> constraints, string solver)
    {
        using var lp = new ClassLp(points, c, solver);
        foreach (var j in constraints) lp.Constrain(j);
        return lp.Solve();
    }

    private sealed class LpFailedException(string message) : InvalidOperationException(message);

    /// <summary>One class's LP in GLOP: maximise t s.t. x_jᵀr ≥ 0 (constrained j), x_cᵀr + t ≤ 0, r ∈ [−1, 1]^S, t ∈ [0, 1].</summary>
    private sealed class ClassLp : IDisposable
    {
        private readonly UnitPoints _points;
        private readonly int _class;
        private readonly Solver _solver;
        private readonly Variable[] _r;
        private readonly Variable _t;

        public ClassLp(UnitPoints points, int c, string solver)
        {
            (_points, _class) = (points, c);
            _solver = Solver.CreateSolver(solver) ?? throw new InvalidOperationException($"OR-Tools has no {solver} solver in this build.");
            _r = new Variable[points.Dimension];
            for (var k = 0; k < _r.Length; k++) _r[k] = _solver.MakeNumVar(-1, 1, $"r{k}");
            _t = _solver.MakeNumVar(0, 1, "t");
            var own = _solver.MakeConstraint(double.NegativeInfinity, 0);
            var x = points.Row(c);
            for (var k = 0; k < _r.Length; k++) own.SetCoefficient(_r[k], x[k]);
            own.SetCoefficient(_t, 1);
            var objective = _solver.Objective();
            objective.SetCoefficient(_t, 1);
            objective.SetMaximization();
        }

        public void Constrain(int j)
        {
            var row = _solver.MakeConstraint(0, double.PositiveInfinity);
            var x = _points.Row(j);
            for (var k = 0; k < _r.Length; k++) row.SetCoefficient(_r[k], x[k]);
        }

        /// <summary>t* of the current LP.</summary>
        public double Solve()
        {
            var status = _solver.Solve();
            if (status != Solver.ResultStatus.OPTIMAL)
                throw new LpFailedException($"{_solver.SolverVersion()} returned {status} for class {_points.Classes[_class]}; the separability LP is always feasible and bounded.");
            return _t.SolutionValue();
        }

        public void Dispose() => _solver.Dispose();
    }
}
