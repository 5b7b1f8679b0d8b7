namespace Ring.Tests.Support;

/// <summary>
/// The tests that start the real programs. They run one at a time and never in parallel with other collections:
/// each pair busy-polls on two threads or more, and the box may have only two cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "processes";
}
