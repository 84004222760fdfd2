# The commands: one line each in the help, and the Telegram command menu. Citizens read
# these too.

command-reflect = choose a talk
command-back = change your last answer
command-stop = stop the talk
command-try = make a trial action – a small thing you want to try
command-trials = see your trial actions – small things you chose to try
command-followup = follow up on what you have tried
command-join = join a group with a code
command-groups = see your groups
command-remind = get a reminder
command-name = show your first name by what you try and share
command-consent = see whether I may save your answers, or change your mind
command-mydata = see everything stored about you
command-forget = delete everything about you
command-language = change language
command-help = see this help
command-newgroup = make a group and get its codes
command-newgroup-arg = NAME
command-members = see who is in the group, and the codes
command-newcodes = make new codes (the old ones stop working)
command-newcodes-arg = DAYS
command-digest = see the weekly digest so far
command-meeting = hold a learning meeting: see the agenda and write down what the group decides
command-group = choose which of your groups the commands are for
command-group-arg = NUMBER
command-linkdigest = in a group chat: it gets the weekly digest too
command-unlinkdigest = in a group chat: it no longer gets the weekly digest. Here: see the linked chats
command-leave = leave a group
command-remove = take a member out of the group
command-remove-arg = NUMBER
command-facilitator = make a member facilitator, or staff again
command-facilitator-arg = NUMBER
link-in-group = Type this in the group chat that should get the weekly digest.
