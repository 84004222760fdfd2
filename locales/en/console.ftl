# What the terminal chat writes itself.

console-file-saved = The file is saved here: { $path }
