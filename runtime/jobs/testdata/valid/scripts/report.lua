local lines = {}
table.insert(lines, "report")
return table.concat(lines, "\n")
