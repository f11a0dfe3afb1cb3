using WaServerless.Core.Sending;

namespace WaServerless.Connector.Sending;

/// <summary>
/// Which lane to look at first: the most urgent, except that after StarvationLimit batches in a
/// row from more urgent lanes the next batch is looked for from the least urgent lane up, so that a
/// steady stream of urgent work cannot starve bulk sends forever. One per consumer loop.
/// </summary>
internal sealed class LaneRotation(int starvationLimit)
{
    private static readonly Lane[] MostUrgentFirst = [.. Priority.LanesMostUrgentFirst];
    private int _urgentInARow;

    public IEnumerable<Lane> Order => _urgentInARow >= starvationLimit ? MostUrgentFirst.Reverse() : MostUrgentFirst;

    /// <summary>A batch was taken from <paramref name="lane"/>.</summary>
    public void Took(Lane lane) =>
        _urgentInARow = lane == MostUrgentFirst[^1] || _urgentInARow >= starvationLimit ? 0 : _urgentInARow + 1;

    /// <summary>Every lane was empty.</summary>
    public void Idle() => _urgentInARow = 0;
}
