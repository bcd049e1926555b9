"""What wxdoctor knows about WeChat and WeCom: products, installs, data folders, servers."""
