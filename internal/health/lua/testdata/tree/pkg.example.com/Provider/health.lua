if obj.status ~= nil and obj.status.conditions ~= nil then
  for _, c in ipairs(obj.status.conditions) do
    if c.type == "Healthy" and c.status == "False" then
      return {status = "Degraded", message = "provider: package unhealthy"}
    end
    if c.type == "Healthy" and c.status == "True" then
      return {status = "Healthy", message = "provider: package healthy"}
    end
  end
end
return {status = "Progressing", message = "provider: installing"}
