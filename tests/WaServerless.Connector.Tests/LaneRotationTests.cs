using WaServerless.Connector.Sending;
using WaServerless.Core.Sending;

namespace WaServerless.Connector.Tests;

public sealed class LaneRotationTests
{
    [Fact]
    public void Urgent_lanes_go_first_until_the_starvation_limit_then_one_batch_is_looked_for_from_bulk_up()
    {
        var rotation = new LaneRotation(starvationLimit: 2);
        Assert.Equal(Lane.Otp, rotation.Order.First());

        rotation.Took(Lane.Otp);
        Assert.Equal(Lane.Otp, rotation.Order.First());
        rotation.Took(Lane.High);
        Assert.Equal(Lane.Bulk, rotation.Order.First());

        // Whatever that batch came from, the most urgent lane is first again afterwards.
        rotation.Took(Lane.Normal);
        Assert.Equal(Lane.Otp, rotation.Order.First());
        rotation.Took(Lane.Otp);
        rotation.Idle();
        rotation.Took(Lane.Otp);
        Assert.Equal(Lane.Otp, rotation.Order.First());
    }
}
