# Det, terminalens chat selv skriver.

console-file-saved = Filen er gemt her: { $path }
