namespace RedisAutoExpiry.Redis;

/// <summary>
/// One Get as <see cref="SlidingReads"/> sees it. <see cref="Known"/>: the key held a sliding entry when last read.
/// <see cref="Extends"/>: the Get reads with <see cref="LuaScripts.GetSliding"/>, which extends the entry itself, so
/// no refresh is sent after it. The default is a key not known to slide: a plain Get.
/// </summary>
internal readonly record struct SlidingRead(int Hash, int Slot, bool Extends)
{
    public bool Known => Hash != 0;
}
