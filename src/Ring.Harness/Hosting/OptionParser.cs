using CommandLine;
using CommandLine.Text;

namespace Ring.Harness.Hosting;

/// <summary>
/// CommandLineParser set up for the Ring programs: <c>--help</c> prints the usage to standard output, and a bad
/// argument becomes one <see cref="ArgumentException"/> (one line on standard error, exit code 2).
/// </summary>
public static class OptionParser
{
    /// <summary>Parses <paramref name="args"/> into <typeparamref name="T"/>; null when help or version was printed.</summary>
    public static T? Parse<T>(string[] args)
    {
        using var parser = new Parser(s =>
        {
            s.HelpWriter = null;
            s.CaseSensitive = true;
            s.CaseInsensitiveEnumValues = true;
        });
        var result = parser.ParseArguments<T>(args);
        if (result is Parsed<T> parsed)
            return parsed.Value;
        var errors = ((NotParsed<T>)result).Errors.ToList();
        if (errors.Any(e => e.Tag is ErrorType.HelpRequestedError or ErrorType.VersionRequestedError))
        {
            Console.WriteLine(HelpText.AutoBuild(result, h => h, e => e));
            return default;
        }
        throw new ArgumentException(Describe(errors[0]) + " (see --help)");
    }

    /// <summary>Parses verbs: returns the parsed options object, or null when help or version was printed.</summary>
    public static object? ParseVerbs(string[] args, params Type[] verbs)
    {
        using var parser = new Parser(s =>
        {
            s.HelpWriter = null;
            s.CaseSensitive = true;
            s.CaseInsensitiveEnumValues = true;
        });
        var result = parser.ParseArguments(args, verbs);
        if (result is Parsed<object> parsed)
            return parsed.Value;
        var errors = ((NotParsed<object>)result).Errors.ToList();
        if (errors.Any(e => e.Tag is ErrorType.HelpRequestedError or ErrorType.VersionRequestedError or ErrorType.HelpVerbRequestedError or ErrorType.NoVerbSelectedError))
        {
            Console.WriteLine(HelpText.AutoBuild(result, h => h, e => e, verbsIndex: true));
            return null;
        }
        throw new ArgumentException(Describe(errors[0]) + " (see --help)");
    }

    private static string Describe(Error error) => error switch
    {
        UnknownOptionError e => $"unknown option '{e.Token}'",
        MissingValueOptionError e => $"option '--{e.NameInfo.LongName}' needs a value",
        BadFormatConversionError e => $"option '--{e.NameInfo.LongName}' has a value of the wrong type",
        MissingRequiredOptionError e => $"option '--{e.NameInfo.LongName}' is required",
        RepeatedOptionError e => $"option '--{e.NameInfo.LongName}' is given twice",
        SetValueExceptionError e => $"option '--{e.NameInfo.LongName}': {e.Exception.Message}",
        BadVerbSelectedError e => $"unknown command '{e.Token}'",
        TokenError e => $"unexpected argument '{e.Token}'",
        _ => $"bad arguments ({error.Tag})",
    };
}
