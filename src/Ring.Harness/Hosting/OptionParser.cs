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
        using var parser = NewParser();
        var result = parser.ParseArguments<T>(args);
        if (result is Parsed<T> parsed)
        {
            RejectExtraArguments(typeof(T), args);
            return parsed.Value;
        }
        var errors = ((NotParsed<T>)result).Errors.ToList();
        if (errors.Any(e => e.Tag is ErrorType.VersionRequestedError))
        {
            Console.WriteLine(HeadingInfo.Default);
            return default;
        }
        if (errors.Any(e => e.Tag is ErrorType.HelpRequestedError))
        {
            Console.WriteLine(Help(result, verbsIndex: false));
            return default;
        }
        throw new ArgumentException(Describe(errors[0]) + " (see --help)");
    }

    /// <summary>
    /// Parses verbs: returns the parsed options object, or null when help or version was printed. No verb at all is
    /// a usage error (exit code 2) whose one line names the verbs; <c>--help</c> and <c>help</c> print the verb list,
    /// <c>VERB --help</c> and <c>help VERB</c> that verb's options and examples.
    /// </summary>
    public static object? ParseVerbs(string[] args, params Type[] verbs)
    {
        using var parser = NewParser();
        var result = parser.ParseArguments(args, verbs);
        if (result is Parsed<object> parsed)
        {
            RejectExtraArguments(parsed.Value.GetType(), args.Skip(1));
            return parsed.Value;
        }
        var errors = ((NotParsed<object>)result).Errors.ToList();
        if (errors.Any(e => e.Tag is ErrorType.VersionRequestedError))
        {
            Console.WriteLine(HeadingInfo.Default);
            return null;
        }
        if (errors.OfType<HelpVerbRequestedError>().FirstOrDefault() is { } helpVerb && args.Length > 1)
        {
            return helpVerb.Matched
                ? ParseVerbs([VerbName(helpVerb.Type), "--help"], verbs) // "help pair" is "pair --help"
                : throw new ArgumentException($"unknown command '{args[1]}' (see --help)");
        }
        if (errors.Any(e => e.Tag is ErrorType.HelpRequestedError or ErrorType.HelpVerbRequestedError))
        {
            Console.WriteLine(Help(result, verbsIndex: result.TypeInfo.Current == typeof(NullInstance)));
            return null;
        }
        if (errors.Any(e => e.Tag is ErrorType.NoVerbSelectedError))
            throw new ArgumentException($"no command given: one of {string.Join(", ", VerbNames(verbs))} (see --help)");
        throw new ArgumentException(Describe(errors[0]) + " (see --help)");
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> for a positional argument beyond the type's <c>[Value]</c>s, which
    /// CommandLineParser silently ignores (<c>Consumer extra</c>, <c>bench plot a b</c>).
    /// </summary>
    private static void RejectExtraArguments(Type options, IEnumerable<string> args)
    {
        var switches = options.GetProperties()
            .Where(p => p.PropertyType == typeof(bool))
            .SelectMany(p => p.GetCustomAttributes(typeof(OptionAttribute), inherit: true).OfType<OptionAttribute>())
            .Select(o => o.LongName)
            .ToHashSet();
        int values = options.GetProperties().Count(p => p.GetCustomAttributes(typeof(ValueAttribute), inherit: true).Length != 0);
        bool optionValueNext = false;
        foreach (string arg in args)
        {
            if (optionValueNext)
                optionValueNext = false;
            else if (arg.StartsWith("--", StringComparison.Ordinal))
                optionValueNext = !arg.Contains('=') && !switches.Contains(arg[2..]);
            else if (values-- <= 0)
                throw new ArgumentException($"unexpected argument '{arg}' (see --help)");
        }
    }

    private static Parser NewParser() => new(s =>
    {
        s.HelpWriter = null;
        s.CaseSensitive = true;
        s.CaseInsensitiveEnumValues = true;
    });

    /// <summary>The help screen: the verb list (<paramref name="verbsIndex"/>), or one program's or verb's usage
    /// examples (its static <c>[Usage]</c> property) and options, each with its default. <c>verbsIndex</c> must be
    /// false for a verb's own screen: CommandLineParser drops the options' dashes when it is true.</summary>
    private static HelpText Help<T>(ParserResult<T> result, bool verbsIndex)
    {
        var help = HelpText.AutoBuild(result, h => h, e => e, verbsIndex);
        help.AddNewLineBetweenHelpSections = true;
        return help;
    }

    private static IEnumerable<string> VerbNames(IEnumerable<Type> verbs) => verbs.Select(VerbName);

    private static string VerbName(Type verb) =>
        verb.GetCustomAttributes(typeof(VerbAttribute), inherit: false).OfType<VerbAttribute>().Single().Name;

    private static string Describe(Error error) => error switch
    {
        UnknownOptionError e => $"unknown option '{(e.Token.Length == 1 ? "-" : "--")}{e.Token}'",
        MissingValueOptionError e => $"option '--{e.NameInfo.LongName}' needs a value",
        BadFormatConversionError e => $"option '--{e.NameInfo.LongName}' has a value of the wrong type",
        MissingRequiredOptionError e => e.NameInfo.LongName.Length == 0 ? "a required argument is missing" : $"option '--{e.NameInfo.LongName}' is required",
        RepeatedOptionError e => $"option '--{e.NameInfo.LongName}' is given twice",
        SetValueExceptionError e => $"option '--{e.NameInfo.LongName}': {e.Exception.Message}",
        BadVerbSelectedError e => $"unknown command '{e.Token}'",
        TokenError e => $"unexpected argument '{e.Token}'",
        _ => $"bad arguments ({error.Tag})",
    };
}
