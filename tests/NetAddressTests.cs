using Ring.Harness.Net;

namespace Ring.Tests;

/// <summary>Parsing and printing the addresses the guest is configured with.</summary>
public sealed class NetAddressTests
{
    [Fact]
    public void MacParse_ColonHex_RoundTrips()
    {
        var mac = MacAddress.Parse("02:52:49:4E:47:0a");

        Assert.Equal(0x0252_494E_470AUL, mac.Value);
        Assert.Equal("02:52:49:4e:47:0a", mac.ToString());
        Assert.False(mac.IsGroup);
        Assert.True(MacAddress.Parse("01:00:5e:00:00:01").IsGroup);
    }

    [Theory]
    [InlineData("")]
    [InlineData("02:52:49:4e:47")]
    [InlineData("02:52:49:4e:47:0g")]
    [InlineData("02:52:49:4e:47:100")]
    public void MacParse_Malformed_ThrowsArgumentException(string text) =>
        Assert.Throws<ArgumentException>(() => MacAddress.Parse(text));

    [Fact]
    public void Ipv4Parse_DottedQuad_RoundTrips()
    {
        var address = Ipv4Address.Parse("10.77.0.2");

        Assert.Equal(0x0A4D_0002U, address.Value);
        Assert.Equal("10.77.0.2", address.ToString());
    }

    [Theory]
    [InlineData("10.77.2")]
    [InlineData("::1")]
    [InlineData("10.77.0.256")]
    [InlineData("ten.0.0.1")]
    public void Ipv4Parse_Malformed_ThrowsArgumentException(string text) =>
        Assert.Throws<ArgumentException>(() => Ipv4Address.Parse(text));
}
