# Kommandoerne: én linje hver i hjælpen og i Telegrams kommandomenu. Borgere læser dem også.

command-reflect = vælg en samtale
command-back = ret dit sidste svar
command-stop = hold en pause eller stop
command-try = lav en prøvehandling
command-trials = se dine prøvehandlinger
command-followup = se tilbage på en prøvehandling
command-join = vær med i en gruppe med en kode
command-groups = se dine grupper
command-remind = få en påmindelse
command-name = vis dit fornavn ved dine prøvehandlinger
command-consent = se dit samtykke, eller sig nej
command-mydata = se alt, der er gemt om dig
command-forget = slet alt om dig
command-language = skift sprog
command-help = se denne hjælp
command-newgroup = lav en gruppe og få dens koder
command-newgroup-arg = NAVN
command-members = se hvor mange der er i gruppen, og koderne
command-newcodes = lav nye koder (de gamle holder op med at virke)
command-newcodes-arg = DAGE
command-digest = se ugen indtil nu
command-group = vælg hvilken af dine grupper kommandoerne gælder
command-group-arg = TAL
command-linkdigest = i en gruppechat: den får også ugens overblik
command-unlinkdigest = i en gruppechat: den får ikke længere ugens overblik
link-in-group = Skriv det i den gruppechat, der skal have ugens overblik.
