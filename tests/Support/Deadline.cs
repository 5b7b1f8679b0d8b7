using System.Diagnostics;

namespace Ring.Tests.Support;

/// <summary>
/// Waits with a deadline that fails the test with a message, so no test can hang the suite. The deadlines are far
/// above what a step takes on an idle box: they catch a hang, they do not measure speed.
/// </summary>
internal static class Deadline
{
    /// <summary>How long a test waits for something that should happen at once.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(30);

    /// <summary>A region name no other test uses: "t-" and 10 hex digits, as <see cref="ProgramRunner"/> makes.</summary>
    public static string UniqueRegionName() => $"t-{Guid.NewGuid():N}"[..12];

    /// <summary>Awaits <paramref name="task"/>; fails when it has not finished within <paramref name="limit"/> (default
    /// <see cref="Default"/>).</summary>
    public static async Task Within(Task task, string what, TimeSpan? limit = null)
    {
        var deadline = limit ?? Default;
        if (await Task.WhenAny(task, Task.Delay(deadline)).ConfigureAwait(false) != task)
            Assert.Fail($"{what} did not finish within {deadline.TotalSeconds:0.#} s");
        await task.ConfigureAwait(false);
    }

    /// <summary>As <see cref="Within(Task, string, TimeSpan?)"/>, returning the task's result.</summary>
    public static async Task<T> Within<T>(Task<T> task, string what, TimeSpan? limit = null)
    {
        await Within((Task)task, what, limit).ConfigureAwait(false);
        return await task.ConfigureAwait(false);
    }

    /// <summary>As <see cref="Within(Task, string, TimeSpan?)"/>, for a value task.</summary>
    public static Task<T> Within<T>(ValueTask<T> task, string what, TimeSpan? limit = null) => Within(task.AsTask(), what, limit);

    /// <summary>Blocks until <paramref name="task"/> finishes and rethrows its exception; fails when it has not finished
    /// within <see cref="Default"/>.</summary>
    public static void Join(Task task, string what)
    {
        Assert.True(((IAsyncResult)task).AsyncWaitHandle.WaitOne(Default), $"{what} did not finish within {Default.TotalSeconds:0} s");
        task.GetAwaiter().GetResult();
    }

    /// <summary>As <see cref="Join"/>, returning the task's result.</summary>
    public static T Join<T>(Task<T> task, string what)
    {
        Join((Task)task, what);
        return task.Result;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="what"/> after
    /// <see cref="Default"/>, or at once when <paramref name="gaveUp"/> (a thread the condition depends on) has ended.</summary>
    public static void Until(Func<bool> condition, string what, Task? gaveUp = null)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (gaveUp is { IsCompleted: true })
                Assert.Fail($"the task waited on ended ({gaveUp.Status}: {gaveUp.Exception?.InnerException?.Message}) before {what}");
            Assert.True(clock.Elapsed < Default, $"{what} did not happen within {Default.TotalSeconds:0} s");
            Thread.Sleep(1);
        }
    }

    /// <summary>Runs <paramref name="body"/> on a thread of its own (it may block, so not on a pool thread).</summary>
    public static Task Run(Action body) =>
        Task.Factory.StartNew(body, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>As <see cref="Run(Action)"/>, with a result.</summary>
    public static Task<T> Run<T>(Func<T> body) =>
        Task.Factory.StartNew(body, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
