// Preloaded into a child process: writes its peak RSS (MiB) to $TRAILSCOPE_RSS_FILE on exit, and
// the CPU seconds of all its threads (user + system) to the same name with ".cpu" added.
process.on('exit', () => {
  const file = process.env.TRAILSCOPE_RSS_FILE;
  if (!file) return;
  const fs = require('node:fs');
  fs.writeFileSync(file, String(process.resourceUsage().maxRSS / 1024));
  const cpu = process.cpuUsage();
  fs.writeFileSync(`${file}.cpu`, String((cpu.user + cpu.system) / 1e6));
});
