module example.com/covdemo

go 1.19
