using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using WaServerless.Connector.Sending;

namespace WaServerless.Connector.Tests;

public sealed class SessionPacerTests
{
    [Fact]
    public void Sends_of_one_session_are_spaced_by_the_interval_within_the_jitter_and_sessions_do_not_share_slots()
    {
        var clock = new FakeTimeProvider();
        var pacer = new SessionPacer(Options.Create(new ConnectorOptions { SendInterval = TimeSpan.FromSeconds(1), SendJitter = 0.3 }), clock);

        var waits = Enumerable.Range(0, 5).Select(_ => pacer.Reserve("a~default")).ToList();
        var other = pacer.Reserve("b~default");

        Assert.Equal(TimeSpan.Zero, waits[0]);
        Assert.Equal(TimeSpan.Zero, other);
        for (var i = 1; i < waits.Count; i++)
        {
            Assert.InRange((waits[i] - waits[i - 1]).TotalSeconds, 0.7, 1.3);
        }

        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.Zero, pacer.Reserve("a~default"));
    }

    [Fact]
    public void A_zero_interval_never_waits()
    {
        var pacer = new SessionPacer(Options.Create(new ConnectorOptions { SendInterval = TimeSpan.Zero }), new FakeTimeProvider());

        Assert.All(Enumerable.Range(0, 10), _ => Assert.Equal(TimeSpan.Zero, pacer.Reserve("a~default")));
    }
}
