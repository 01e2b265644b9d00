// Preloaded into a child process: writes its peak RSS (MiB) to $TRAILSCOPE_RSS_FILE on exit, and
// to the same name with ".cpu" added, its CPU seconds as JSON: all threads (user + system), and
// its main thread alone (from /proc, Linux only; null elsewhere), the thread that commits.
process.on('exit', () => {
  const file = process.env.TRAILSCOPE_RSS_FILE;
  if (!file) return;
  const fs = require('node:fs');
  fs.writeFileSync(file, String(process.resourceUsage().maxRSS / 1024));
  const cpu = process.cpuUsage();
  let main = null;
  try {
    // Fields 14 and 15 of /proc/<pid>/task/<tid>/stat: utime and stime in clock ticks (100 per second).
    const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    main = (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    main = null;
  }
  fs.writeFileSync(`${file}.cpu`, JSON.stringify({ all: (cpu.user + cpu.system) / 1e6, main }));
});
