// Pascanu's wall: one recurrent unit, x_t = w·σ(x_{t−1}) + b for 50 steps, loss E = (σ(x_50) − 0.7)².
// Run: dotnet run --project examples/TheWall      (for the heat map: dotnet run --project src/Lab -- wall)
using MiniNet.Training;

var wall = new WallProblem();
(double w, double b) = WallProblem.DefaultStart;       // the foot of the wall: low loss, huge gradient
(double loss, double dw, double db) = wall.LossAndGradient(w, b);   // backprop through 50 unrolled steps
Console.WriteLine($"start w = {w}, b = {b}: E = {loss:G3}, gradient = ({dw:G3}, {db:G3})");

foreach (double? threshold in new double?[] { null, 1.0 })
{
    IReadOnlyList<WallStep> path = wall.Descend(w, b, learningRate: 0.1, steps: 10, clipThreshold: threshold);
    string name = threshold is null ? "plain gradient descent" : $"clipped to norm {threshold}";
    Console.WriteLine($"\n{name}:");
    foreach (WallStep step in path.Take(5))
    {
        Console.WriteLine($"  w = {step.W,7:F3}  b = {step.B,7:F3}  E = {step.Loss,9:G3}  |gradient| = {step.GradNorm,8:G3}{(step.Clipped ? "  clipped" : string.Empty)}");
    }
}

Console.WriteLine("\nThe plain step is 0.1 × a gradient of norm 26: it flies 2.6 away onto a flat plateau and stays there.");
Console.WriteLine("The clipped step is at most 0.1 long: it stays at the valley and keeps walking along the edge.");
