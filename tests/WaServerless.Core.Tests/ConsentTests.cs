using WaServerless.Core.Consent;
using WaServerless.Core.Limits;
using WaServerless.Core.Sending;

namespace WaServerless.Core.Tests;

/// <summary>Which inbound texts are stop and start words: the whole message, any case, a trailing stop or exclamation mark allowed.</summary>
public class ConsentKeywordTests
{
    [Theory]
    [InlineData("STOP", RecipientConsent.OptedOut)]
    [InlineData("stop", RecipientConsent.OptedOut)]
    [InlineData("  Stop!  ", RecipientConsent.OptedOut)]
    [InlineData("Unsubscribe.", RecipientConsent.OptedOut)]
    [InlineData("stopp", RecipientConsent.OptedOut)]
    [InlineData("Arrêt", RecipientConsent.OptedOut)]
    [InlineData("ARRET", RecipientConsent.OptedOut)]
    [InlineData("parar", RecipientConsent.OptedOut)]
    [InlineData("退订", RecipientConsent.OptedOut)]
    [InlineData("START", RecipientConsent.OptedIn)]
    [InlineData("start", RecipientConsent.OptedIn)]
    [InlineData("Subscribe!", RecipientConsent.OptedIn)]
    public void Keywords_change_consent(string text, RecipientConsent expected) =>
        Assert.Equal(expected, new ConsentOptions().Classify(text));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("please stop sending me these")]
    [InlineData("stop it")]
    [InlineData("STOPPED")]
    [InlineData("When does the store open?")]
    [InlineData("s t o p")]
    public void Conversation_is_never_mistaken_for_a_keyword(string? text) =>
        Assert.Null(new ConsentOptions().Classify(text));

    [Fact]
    public void The_lists_are_configurable_as_one_comma_separated_setting_each()
    {
        var options = new ConsentOptions { StopWords = "BASTA, HALT", StartWords = "WEITER" };

        Assert.Equal(RecipientConsent.OptedOut, options.Classify("halt"));
        Assert.Equal(RecipientConsent.OptedIn, options.Classify("Weiter"));
        Assert.Null(options.Classify("STOP"));
    }
}

/// <summary>Consent comes before every other recipient rule, and is carried to the next state.</summary>
public class RecipientConsentRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);
    private static readonly SendLimits Limits = new(1000, 60, TimeSpan.Zero, 50, TimeSpan.FromSeconds(30));

    [Fact]
    public void An_opted_out_recipient_gets_nothing_whatever_the_priority() =>
        Assert.All([Priority.Otp, Priority.Normal, Priority.Bulk], p =>
            Assert.IsType<RecipientDecision.OptedOut>(RecipientRules.Evaluate(RecipientState.None with { Consent = RecipientConsent.OptedOut }, p, Limits, Now)));

    [Theory]
    [InlineData(RecipientConsent.None, false)]
    [InlineData(RecipientConsent.OptedIn, true)]
    public void A_plan_that_requires_opt_in_sends_only_to_those_who_opted_in(RecipientConsent consent, bool sent)
    {
        var decision = RecipientRules.Evaluate(RecipientState.None with { Consent = consent }, Priority.Normal, Limits with { RequireOptIn = true }, Now);

        Assert.Equal(sent, decision is RecipientDecision.Accept);
        Assert.Equal(!sent, decision is RecipientDecision.NotOptedIn);
    }

    [Fact]
    public void An_accepted_send_keeps_the_recipients_consent_in_the_next_state()
    {
        var decision = Assert.IsType<RecipientDecision.Accept>(RecipientRules.Evaluate(RecipientState.None with { Consent = RecipientConsent.OptedIn }, Priority.Normal, Limits, Now));

        Assert.Equal(RecipientConsent.OptedIn, decision.Next.Consent);
        Assert.Equal(1, decision.Next.DayCount);
    }
}
