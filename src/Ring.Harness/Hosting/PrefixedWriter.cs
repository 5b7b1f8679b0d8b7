namespace Ring.Harness.Hosting;

/// <summary>Writes whole lines to <paramref name="inner"/>, each prefixed with "<paramref name="program"/>: ", as the
/// programs' one-line messages are.</summary>
public sealed class PrefixedWriter(TextWriter inner, string program) : TextWriter
{
    /// <inheritdoc />
    public override System.Text.Encoding Encoding => inner.Encoding;

    /// <inheritdoc />
    public override void WriteLine(string? value)
    {
        lock (inner)
            inner.WriteLine($"{program}: {value}");
    }

    /// <inheritdoc />
    public override void Write(char value) => inner.Write(value);
}
