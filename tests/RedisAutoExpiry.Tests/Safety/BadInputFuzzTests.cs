using System.Buffers;
using System.Text;
using Microsoft.Extensions.Caching.Distributed;
using RedisAutoExpiry.OutputCaching;
using RedisAutoExpiry.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RedisAutoExpiry.Tests.Safety;

/// <summary>
/// A seeded, bounded fuzz run through the distributed cache, the tagged cache and the output cache store: random keys
/// (empty, binary, Unicode, unpaired surrogates, up to 1 MiB), tags, entry options and values (up to past the size
/// limit), plus values another program wrote under the prefix. An oracle says for each call whether it must succeed or
/// throw a documented ArgumentException, and a model of every entry written checks that no call damaged another entry.
/// Set FUZZ_SEED to replay a run; the seed and case count are printed (dev.sh shows the line).
/// </summary>
public sealed class BadInputFuzzTests(ITestOutputHelper output) : RedisTestBase
{
    private const int Cases = 3000;
    private const int MaximumValueSize = 512 * 1024;
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task RandomInput_GetsOnlyDocumentedExceptions_AndNeverDamagesAnotherEntry()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), out var given) ? given : 20261121;
        var run = new FuzzRun(new Random(seed), CreateCache(o =>
        {
            o.MaximumValueSize = MaximumValueSize;
            o.Tags.MaximumTagsPerEntry = 8;
            o.Tags.MaximumTagLength = 64;
            // The output cache fails open: a call over its 50 ms default (a 1.5 MiB page on a loaded machine) would
            // be a silent miss or a dropped store, which the model would take for a lost page.
            o.Resilience.OutputCacheTimeout = TestOperationTimeout;
            WithoutTagMaintenance(o);
        }), Inspector, Prefix(), CacheLog);

        for (var number = 1; number <= Cases; number++)
        {
            await run.OneCaseAsync(number);
            if (number % 100 == 0)
            {
                await run.VerifyModelAsync(number);
            }
        }

        await run.VerifyModelAsync(Cases);
        var summary = $"fuzz: seed {seed}, {Cases} cases ({run.Describe()}), {run.TimeoutsRetried} timeouts retried, {run.Failures.Count} failures" +
            (run.Failures.Count > 0 ? $"; first: {run.Failures[0].ReplaceLineEndings(" ")}" : string.Empty);
        output.WriteLine(summary);
        Assert.True(run.Failures.Count == 0, summary + "\n" + string.Join("\n", run.Failures.Take(20)));
    }

    /// <summary>One run's generator, oracle and model.</summary>
    private sealed class FuzzRun(Random random, RedisAutoExpiryCache cache, StackExchange.Redis.IDatabase inspector, string prefix, CapturingLogger log)
    {
        private readonly RedisAutoExpiryOutputCacheStore _store = new(cache);
        private readonly List<string?> _keys = [];
        private readonly List<string?> _tags = [];
        private readonly Dictionary<string, (byte[] Value, string[] Tags)> _live = new(StringComparer.Ordinal);
        private readonly HashSet<string> _gone = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (byte[] Value, string[] Tags)> _pages = new(StringComparer.Ordinal);
        private readonly HashSet<string> _pagesGone = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _counts = [];
        private readonly Dictionary<string, List<string>> _history = new(StringComparer.Ordinal);
        private int _foreign, _case;

        public List<string> Failures { get; } = [];

        public int TimeoutsRetried { get; private set; }

        public string Describe() => string.Join(", ", _counts.OrderByDescending(c => c.Value).Select(c => $"{c.Key} {c.Value}"));

        public async Task OneCaseAsync(int number)
        {
            _case = number;
            var roll = random.Next(100);
            var (name, call) = roll switch
            {
                < 30 => ("set", SetAsync()),
                < 50 => ("get", GetAsync()),
                < 55 => ("refresh", RefreshAsync()),
                < 62 => ("remove", RemoveAsync()),
                < 68 => ("evict", EvictAsync()),
                < 78 => ("page set", PageSetAsync()),
                < 84 => ("page get", PageGetAsync()),
                < 86 => ("page evict", PageEvictAsync()),
                _ => ("foreign value", ForeignValueAsync()),
            };
            _counts[name] = _counts.GetValueOrDefault(name) + 1;
            try
            {
                await call;
            }
            catch (Exception exception)
            {
                Failures.Add($"case {number} ({name}): {exception.GetType().Name}: {exception.Message}");
            }
        }

        public async Task VerifyModelAsync(int number)
        {
            foreach (var (key, entry) in _live)
            {
                if (await cache.GetAsync(key) is not { } value || !value.AsSpan().SequenceEqual(entry.Value))
                {
                    Failures.Add($"after case {number}: entry {Show(key)} no longer holds what was written; {History(key)}");
                }
            }

            foreach (var key in _gone)
            {
                if (await cache.GetAsync(key) is not null)
                {
                    Failures.Add($"after case {number}: entry {Show(key)} was removed or evicted, yet is there");
                }
            }

            foreach (var (key, page) in _pages)
            {
                if (await _store.GetAsync(key, default) is not { } value || !value.AsSpan().SequenceEqual(page.Value))
                {
                    Failures.Add($"after case {number}: page {Show(key)} no longer holds what was stored; {History("page " + key)}");
                }
            }

            foreach (var key in _pagesGone)
            {
                if (await _store.GetAsync(key, default) is not null)
                {
                    Failures.Add($"after case {number}: page {Show(key)} was evicted, yet is there");
                }
            }
        }

        private async Task SetAsync()
        {
            var key = PickKey();
            var value = random.Next(100) < 2 ? null : NewValue();
            var (options, lasts) = NewOptions();
            var tags = random.Next(3) == 0 ? null : NewTags();
            var valid = KeyIsValid(key) && value is not null && value.Length <= MaximumValueSize && options is not null
                && OptionsAreValid(options) && (tags is null || TagsAreValid(tags, 8));
            await Expect(valid, async () =>
            {
                // A ReadOnlySequence cannot be null: a null value goes through the byte[] overloads.
                switch ((tags is null, value is null ? random.Next(2) : random.Next(4)))
                {
                    case (true, 0): cache.Set(key!, value!, options!); break;
                    case (true, 1): await cache.SetAsync(key!, value!, options!); break;
                    case (true, _): await cache.SetAsync(key!, new ReadOnlySequence<byte>(value!), options!); break;
                    case (false, 0): cache.Set(key!, value!, options!, tags!); break;
                    case (false, _): await cache.SetAsync(key!, value!, options!, tags!); break;
                }
            }, $"Set {Show(key)}, {value?.Length.ToString() ?? "null"} bytes, {Show(options)}, tags {Show(tags)}");
            Note(key ?? "", $"set {valid}, lasts {lasts}, tags {Show(tags)}");
            if (valid)
            {
                Forget(key!);
                if (lasts)
                {
                    _live[key!] = (value!, tags?.Distinct().Select(t => t!).ToArray() ?? []);
                }
            }
        }

        private async Task GetAsync()
        {
            var key = PickKey();
            byte[]? value = null;
            await Expect(KeyIsValid(key), async () =>
            {
                switch (random.Next(4))
                {
                    case 0: value = cache.Get(key!); break;
                    case 1: value = await cache.GetAsync(key!); break;
                    case 2: value = (await cache.GetWithTimeToLiveAsync(key!))?.Value; break;
                    default:
                        var buffer = new ArrayBufferWriter<byte>();
                        value = await cache.TryGetAsync(key!, buffer) ? buffer.WrittenSpan.ToArray() : null;
                        break;
                }
            }, $"Get {Show(key)}");
            CheckRead(key, value);
        }

        private Task RefreshAsync()
        {
            var key = PickKey();
            return Expect(KeyIsValid(key), async () =>
            {
                if (random.Next(2) == 0) { cache.Refresh(key!); } else { await cache.RefreshAsync(key!); }
            }, $"Refresh {Show(key)}");
        }

        private async Task RemoveAsync()
        {
            var key = PickKey();
            var valid = KeyIsValid(key);
            await Expect(valid, async () =>
            {
                if (random.Next(2) == 0) { cache.Remove(key!); } else { await cache.RemoveAsync(key!); }
            }, $"Remove {Show(key)}");
            if (valid)
            {
                Forget(key!);
                _gone.Add(key!);
            }
        }

        private async Task EvictAsync()
        {
            var tags = NewTags();
            var single = random.Next(2) == 0 && tags.Length > 0;
            var valid = single ? TagsAreValid([tags[0]], int.MaxValue) : TagsAreValid(tags, int.MaxValue);
            long removed = 0;
            var retried = await Expect(valid, async () =>
                removed = single ? await cache.EvictByTagAsync(tags[0]!) : await cache.EvictByTagsAsync(tags!), $"Evict {Show(single ? [tags[0]] : tags)}");
            if (!valid)
            {
                return;
            }

            var evicted = single ? [tags[0]!] : tags.Distinct().ToArray();
            var known = _live.Where(e => e.Value.Tags.Intersect(evicted).Any()).Select(e => e.Key).ToList();
            var pages = _pages.Where(e => e.Value.Tags.Intersect(evicted).Any()).Select(e => e.Key).ToList();
            // A retried eviction counts only what the attempt that answered removed; the model check still sees all.
            if (!retried && removed < known.Count + pages.Count)
            {
                Failures.Add($"Evict {Show(evicted)} removed {removed}, but {known.Count + pages.Count} known entries carried it");
            }

            known.ForEach(key => { _live.Remove(key); _gone.Add(key); Note(key, $"evicted by {Show(evicted)}"); });
            pages.ForEach(key => { _pages.Remove(key); _pagesGone.Add(key); Note("page " + key, $"evicted by {Show(evicted)}"); });
        }

        private async Task PageSetAsync()
        {
            var key = PickKey() ?? string.Empty; // the middleware never passes null
            var value = NewValue();
            var tags = NewTags();
            var validFor = random.Next(10) == 0 ? TimeSpan.FromMilliseconds(-random.Next(2)) : Long;
            // Bad input throws; a key with an unpaired surrogate (the middleware's, not the app's) is accepted, not stored.
            var inputValid = value.Length <= MaximumValueSize && TagsAreValid(tags, 8) && validFor > TimeSpan.Zero;
            var stored = inputValid && KeyIsUtf16(key);
            await Expect(inputValid, async () => await _store.SetAsync(key, value, tags!, validFor, default),
                $"page Set {Show(key)}, {value.Length} bytes, {validFor}, tags {Show(tags)}");
            Note("page " + key, $"set {stored}, tags {Show(tags)}");
            if (stored)
            {
                _pagesGone.Remove(key);
                _pages[key] = (value, tags.Distinct().Select(t => t!).ToArray());
            }
        }

        private async Task PageGetAsync()
        {
            var key = PickKey() ?? string.Empty;
            byte[]? value = null;
            await Expect(true, async () => value = await _store.GetAsync(key, default), $"page Get {Show(key)}");
            if (_pages.TryGetValue(key, out var page) && (value is null || !value.AsSpan().SequenceEqual(page.Value)))
            {
                Failures.Add($"page Get {Show(key)} did not return what was stored");
            }
            else if (_pagesGone.Contains(key) && value is not null)
            {
                Failures.Add($"page Get {Show(key)} returned an evicted page");
            }
        }

        private async Task PageEvictAsync()
        {
            var tag = PickTag();
            var valid = TagsAreValid([tag], 1);
            await Expect(valid, async () => await _store.EvictByTagAsync(tag!, default), $"page Evict {Show(tag)}");
            if (valid)
            {
                foreach (var key in _pages.Where(e => e.Value.Tags.Contains(tag)).Select(e => e.Key).ToList())
                {
                    _pages.Remove(key);
                    _pagesGone.Add(key);
                }

                foreach (var key in _live.Where(e => e.Value.Tags.Contains(tag)).Select(e => e.Key).ToList())
                {
                    _live.Remove(key);
                    _gone.Add(key);
                }
            }
        }

        // Another program's value at a fresh key under our prefix: garbage, an old or future format version, a
        // truncated header, or another Redis type. Every read is a miss with one log line; Refresh does nothing. The
        // exception is a string that is not empty and does not start with the marker: the cache stores such values
        // bare, so it reads as itself (bare), with no log line.
        private async Task ForeignReadAsync(string key, string redisKey, byte[]? bare)
        {
            var before = log.MessagesOf(3).Count;
            byte[]? value = null;
            await Expect(true, async () =>
            {
                switch (random.Next(5))
                {
                    case 0: value = cache.Get(key); break;
                    case 1: value = await cache.GetAsync(key); break;
                    case 2: value = (await cache.GetWithTimeToLiveAsync(key))?.Value; break;
                    case 3:
                        var buffer = new ArrayBufferWriter<byte>();
                        value = await cache.TryGetAsync(key, buffer) ? buffer.WrittenSpan.ToArray() : null;
                        break;
                    default:
                        await cache.RefreshAsync(key);
                        return;
                }

                if (bare is not null)
                {
                    if (value is null || !value.AsSpan().SequenceEqual(bare) || log.MessagesOf(3).Count != before)
                    {
                        Failures.Add($"a bare value at {redisKey} was not read as itself, without a log line");
                    }
                }
                else if (value is not null)
                {
                    Failures.Add($"a foreign value at {redisKey} was read as an entry");
                }
                else if (log.MessagesOf(3).Count != before + 1)
                {
                    Failures.Add($"a foreign value at {redisKey} was read without exactly one log line (event 3)");
                }
            }, $"read of foreign {redisKey}");
        }

        private async Task ForeignValueAsync()
        {
            var key = $"foreign-{++_foreign}";
            var redisKey = prefix + key;
            byte[]? bare = null;
            switch (random.Next(7))
            {
                case 0:
                    var value = NewValue();
                    await inspector.StringSetAsync(redisKey, value);
                    bare = value.Length > 0 && value[0] != 0xAE ? value : null;
                    break;
                case 1: await inspector.StringSetAsync(redisKey, new byte[] { 0xAE, 0x00, 1, 2, 3 }); break; // version 0
                case 2: await inspector.StringSetAsync(redisKey, new byte[] { 0xAE, 0x20, 1, 2, 3 }); break; // version 2
                case 3: await inspector.StringSetAsync(redisKey, new byte[] { 0xAE, 0x11, 1, 2 }); break; // sliding, truncated
                case 4: await inspector.HashSetAsync(redisKey, "field", "value"); break;
                case 5: await inspector.SetAddAsync(redisKey, "member"); break;
                default: await inspector.ListLeftPushAsync(redisKey, "item"); break;
            }

            if (random.Next(4) == 0)
            {
                // The output cache's view: a page another program wrote is a miss (the store fails open for the rest).
                await inspector.KeyRenameAsync(redisKey, prefix + "#rae:out:" + key);
                byte[]? page = null;
                await Expect(true, async () => page = await _store.GetAsync(key, default), $"page Get of foreign {key}");
                if (page is not null)
                {
                    Failures.Add($"a foreign page at {key} was served");
                }

                return;
            }

            await ForeignReadAsync(key, redisKey, bare);
        }

        private void Note(string key, string what)
        {
            if (!_history.TryGetValue(key, out var list))
            {
                _history[key] = list = [];
            }

            list.Add($"case {_case}: {what}");
        }

        private string History(string key) => _history.TryGetValue(key, out var list) ? string.Join(" | ", list.TakeLast(6)) : "no history";

        private void CheckRead(string? key, byte[]? value)
        {
            if (key is null || !KeyIsValid(key))
            {
                return;
            }

            if (_live.TryGetValue(key, out var entry) && (value is null || !value.AsSpan().SequenceEqual(entry.Value)))
            {
                Failures.Add($"Get {Show(key)} did not return what was written");
            }
            else if (_gone.Contains(key) && value is not null)
            {
                Failures.Add($"Get {Show(key)} returned a removed entry");
            }
        }

        private void Forget(string key)
        {
            _live.Remove(key);
            _gone.Remove(key);
        }

        // Success when valid, else an ArgumentException (ArgumentNullException and ArgumentOutOfRangeException are
        // ones): the documented exceptions. Anything else, or the wrong outcome, is a failure. A timeout is the loaded
        // machine's, not an answer to the input: every call here is idempotent, so it is tried again (twice at most)
        // and counted in the summary. Returns whether the call was retried.
        private async Task<bool> Expect(bool valid, Func<Task> call, string what)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await call();
                    if (!valid)
                    {
                        Failures.Add($"{what}: accepted, but the input is invalid");
                    }
                }
                catch (ArgumentException) when (!valid)
                {
                    // The documented outcome for bad input.
                }
                catch (TimeoutException) when (attempt < 3)
                {
                    TimeoutsRetried++;
                    continue;
                }
                catch (Exception exception)
                {
                    Failures.Add($"{what}: {exception.GetType().Name}: {exception.Message}");
                }

                return attempt > 1;
            }
        }

        private string? PickKey()
        {
            if (_keys.Count < 80 || random.Next(4) == 0)
            {
                _keys.Add(NewKey());
            }

            return _keys[random.Next(_keys.Count)];
        }

        private string? NewKey() => random.Next(100) switch
        {
            0 => null,
            1 => string.Empty,
            2 => new string('k', random.Next(1, 1024 * 1024 + 1)), // up to 1 MiB
            < 6 => RandomText(random.Next(1000, 20_000), unicode: true),
            < 10 => "#rae:" + RandomText(random.Next(0, 10), unicode: false), // the reserved prefix: refused
            < 14 => RandomText(random.Next(1, 10), unicode: false) + "#rae:tag:" + RandomText(3, unicode: false),
            < 20 => string.Concat(Enumerable.Range(0, random.Next(1, 12)).Select(_ => (char)random.Next(0, 32))), // control characters
            < 26 => UnpairedSurrogate(),
            < 30 => "\uFFFD" + RandomText(random.Next(0, 3), unicode: false), // what an unpaired surrogate would become
            < 34 => random.Next(2) == 0 ? "caf\u00E9" : "cafe\u0301", // precomposed and decomposed: distinct keys
            < 38 => "*?[a-z]\\" + RandomText(2, unicode: false),
            < 70 => RandomText(random.Next(1, 30), unicode: true),
            _ => RandomText(random.Next(1, 12), unicode: false),
        };

        private string?[] NewTags() => Enumerable.Range(0, random.Next(0, 10)).Select(_ => PickTag()).ToArray();

        private string? PickTag()
        {
            if (_tags.Count < 15)
            {
                _tags.Add(random.Next(40) switch
                {
                    0 => null,
                    1 => string.Empty,
                    2 => " \t",
                    3 => new string('t', 65), // over MaximumTagLength
                    4 => UnpairedSurrogate(),
                    5 => "*",
                    _ => RandomText(random.Next(1, 20), unicode: random.Next(2) == 0),
                });
            }

            return _tags[random.Next(_tags.Count)];
        }

        private byte[] NewValue()
        {
            var length = random.Next(100) switch
            {
                0 => MaximumValueSize + random.Next(1, 1024 * 1024), // over the limit, up to 1.5 MiB
                1 => MaximumValueSize,
                < 5 => random.Next(64 * 1024, MaximumValueSize),
                < 15 => 0,
                _ => random.Next(1, 2048),
            };
            var value = new byte[length];
            random.NextBytes(value);
            return value;
        }

        // Returns the options and whether the entry surely outlives the run (only those go into the model).
        private (DistributedCacheEntryOptions? Options, bool Lasts) NewOptions() => random.Next(20) switch
        {
            0 => (null, false),
            1 => (new(), true), // DefaultEntryOptions: 5 minutes
            2 => (new() { AbsoluteExpiration = DateTimeOffset.UtcNow.AddSeconds(-random.Next(1, 100_000)) }, false), // past: refused
            3 => (new() { AbsoluteExpiration = DateTimeOffset.MaxValue }, true),
            4 => (new() { AbsoluteExpirationRelativeToNow = TimeSpan.MaxValue }, true),
            5 => (new() { SlidingExpiration = TimeSpan.FromTicks(1) }, false),
            6 => (new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMilliseconds(random.Next(1, 50)) }, false),
            7 => (new() { SlidingExpiration = Long, AbsoluteExpirationRelativeToNow = TimeSpan.FromMilliseconds(random.Next(1, 50)) }, false),
            8 => (new() { SlidingExpiration = Long, AbsoluteExpiration = DateTimeOffset.UtcNow.AddMinutes(20) }, true),
            9 => (new() { SlidingExpiration = TimeSpan.MaxValue }, true),
            < 14 => (new() { SlidingExpiration = Long }, true),
            _ => (new() { AbsoluteExpirationRelativeToNow = Long }, true),
        };

        private static bool OptionsAreValid(DistributedCacheEntryOptions options) =>
            options.AbsoluteExpiration is not { } instant || instant > DateTimeOffset.UtcNow;

        private static bool KeyIsValid(string? key) => key is not null && !key.StartsWith("#rae:", StringComparison.Ordinal) && KeyIsUtf16(key);

        private static bool KeyIsUtf16(string key) => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(key)) == key;

        private static bool TagsAreValid(string?[]? tags, int maximumDistinct) =>
            tags is not null && tags.All(t => !string.IsNullOrWhiteSpace(t) && t.Length <= 64 && KeyIsUtf16(t))
            && tags.Distinct().Count() <= maximumDistinct;

        private string UnpairedSurrogate()
        {
            var text = RandomText(random.Next(0, 4), unicode: false);
            var surrogate = random.Next(2) == 0 ? (char)random.Next(0xD800, 0xDC00) : (char)random.Next(0xDC00, 0xE000);
            return text.Insert(random.Next(text.Length + 1), surrogate.ToString());
        }

        private string RandomText(int length, bool unicode)
        {
            var text = new StringBuilder(length);
            while (text.Length < length)
            {
                if (!unicode)
                {
                    text.Append((char)random.Next(0x20, 0x7F));
                }
                else if (random.Next(10) == 0)
                {
                    text.Append(char.ConvertFromUtf32(random.Next(0x1F300, 0x1F6FF))); // a pair: an astral emoji
                }
                else
                {
                    var c = (char)random.Next(0x20, 0xD800); // the BMP below the surrogates
                    text.Append(c);
                }
            }

            return text.ToString();
        }

        private static string Show(string? text) => text is null ? "null"
            : text.Length > 24 ? $"\"{Escape(text[..24])}…\" ({text.Length} chars)" : $"\"{Escape(text)}\"";

        private static string Show(IEnumerable<string?>? tags) => tags is null ? "null" : "[" + string.Join(", ", tags.Select(Show)) + "]";

        private static string Show(DistributedCacheEntryOptions? options) => options is null ? "null options"
            : $"abs {options.AbsoluteExpiration?.ToString("O") ?? "-"}, rel {options.AbsoluteExpirationRelativeToNow?.ToString() ?? "-"}, sld {options.SlidingExpiration?.ToString() ?? "-"}";

        private static string Escape(string text) => string.Concat(text.Select(c => c < 0x20 || char.IsSurrogate(c) ? $"\\u{(int)c:X4}" : c.ToString()));
    }
}
